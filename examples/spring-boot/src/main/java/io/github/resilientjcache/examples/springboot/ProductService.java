package io.github.resilientjcache.examples.springboot;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * The catalogue, cached. {@code products} holds products by id; {@code quotes} holds computed prices, loaded
 * with {@code sync = true}: one caller computes a missing quote while the others wait for it (Spring runs that
 * through {@code Cache.get(key, valueLoader)}, which {@code JCacheCache} makes an entry processor).
 */
@Service
public class ProductService {

  private final ProductRepository repository;

  public ProductService(ProductRepository repository) {
    this.repository = repository;
  }

  @Cacheable("products")
  public Product find(long id) {
    return repository.find(id).orElseThrow(() -> new ProductNotFoundException(id));
  }

  @CachePut(cacheNames = "products", key = "#result.id()")
  public Product save(Product product) {
    return repository.save(product);
  }

  @CacheEvict(cacheNames = {"products", "quotes"}, key = "#id")
  public void delete(long id) {
    if (!repository.delete(id)) {
      throw new ProductNotFoundException(id);
    }
  }

  /**
   * A price with tax, in cents, as a slow pricing service would compute it. It reads the repository itself:
   * {@code find(id)} from here would be a call on {@code this}, which Spring's cache proxy does not see.
   */
  @Cacheable(cacheNames = "quotes", sync = true)
  public Long quote(long id) {
    Product p = repository.find(id).orElseThrow(() -> new ProductNotFoundException(id));
    return Math.round(p.priceCents() * 1.2);
  }
}
