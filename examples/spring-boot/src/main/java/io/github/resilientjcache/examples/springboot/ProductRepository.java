package io.github.resilientjcache.examples.springboot;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Repository;

/**
 * The system of record the cache stands in front of: a map here, a database in a real application. It counts
 * its reads, so a test can tell a cache hit from a load.
 */
@Repository
public class ProductRepository {

  private final Map<Long, Product> products = new ConcurrentHashMap<>();
  private final AtomicLong reads = new AtomicLong();

  public Optional<Product> find(long id) {
    reads.incrementAndGet();
    return Optional.ofNullable(products.get(id));
  }

  public Product save(Product product) {
    products.put(product.id(), product);
    return product;
  }

  public boolean delete(long id) {
    return products.remove(id) != null;
  }

  /** How many times the repository was read: what the cache spares it. */
  public long reads() {
    return reads.get();
  }
}
