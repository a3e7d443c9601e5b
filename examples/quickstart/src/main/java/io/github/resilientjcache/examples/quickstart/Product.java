package io.github.resilientjcache.examples.quickstart;

import java.io.Serializable;

/** A cached value: any {@link Serializable} class the config's {@code serialization.allowedClasses} names. */
public record Product(String sku, String name, long priceCents, int stock) implements Serializable {

  private static final long serialVersionUID = 1L;

  Product withStock(int newStock) {
    return new Product(sku, name, priceCents, newStock);
  }
}
