package io.github.resilientjcache.examples.quickstart;

import java.io.Serializable;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.MutableEntry;

/**
 * A product catalog on a {@code javax.cache.Cache}: nothing here is specific to resilient-jcache but the
 * provider's name and the config file.
 */
public final class Catalog implements AutoCloseable {

  /** The provider's class name: Redisson's jar registers a JCache provider too, so name ours. */
  public static final String PROVIDER = "io.github.resilientjcache.jcache.ResilientCachingProvider";

  private static final Map<String, AtomicLong> CHANGES = new ConcurrentHashMap<>();

  private final CacheManager manager;
  private final Cache<String, Product> products;

  private Catalog(CacheManager manager) {
    this.manager = manager;
    MutableConfiguration<String, Product> config = new MutableConfiguration<String, Product>()
        .setTypes(String.class, Product.class)
        .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MINUTES, 10)))
        .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
            FactoryBuilder.factoryOf(ChangeCounter.class), null, false, true));
    Cache<String, Product> existing = manager.getCache("products", String.class, Product.class);
    this.products = existing != null ? existing : manager.createCache("products", config);
  }

  /** The catalog on the config file at {@code config} (a {@code classpath:} or {@code file:} URI). */
  public static Catalog open(URI config) {
    return open(config, new Properties());
  }

  /** The same, with the provider's properties (tests pass a Redisson {@code Config} object in them). */
  public static Catalog open(URI config, Properties properties) {
    CacheManager manager = Caching.getCachingProvider(PROVIDER)
        .getCacheManager(config, Catalog.class.getClassLoader(), properties);
    return new Catalog(manager);
  }

  public void add(Product p) {
    products.put(p.sku(), p);
  }

  public Product find(String sku) {
    return products.get(sku);
  }

  /** Takes {@code quantity} off the stock in one atomic step; false when there is not enough. */
  public boolean reserve(String sku, int quantity) {
    return products.invoke(sku, new Reserve(), quantity);
  }

  /** The cache itself, for what the example shows (statistics, the near cache). */
  public Cache<String, Product> products() {
    return products;
  }

  /** Creations and updates the listeners of this JVM have seen. */
  public static long changesSeen() {
    return CHANGES.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Creations and updates of {@code sku} the listeners of this JVM have seen. */
  public static long changesSeen(String sku) {
    AtomicLong n = CHANGES.get(sku);
    return n == null ? 0 : n.get();
  }

  private static void seen(CacheEntryEvent<? extends String, ? extends Product> e) {
    CHANGES.computeIfAbsent(e.getKey(), k -> new AtomicLong()).incrementAndGet();
  }

  @Override
  public void close() {
    manager.close();
  }

  /** An entry processor: runs against the entry, atomically, wherever the provider runs it. */
  static final class Reserve implements EntryProcessor<String, Product, Boolean>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(MutableEntry<String, Product> entry, Object... arguments) {
      int quantity = (Integer) arguments[0];
      Product p = entry.getValue();
      if (p == null || p.stock() < quantity) {
        return false;
      }
      entry.setValue(p.withStock(p.stock() - quantity));
      return true;
    }
  }

  /** A listener, made by the factory the configuration names; synchronous, so it has run when a put returns. */
  public static final class ChangeCounter implements CacheEntryCreatedListener<String, Product>,
      CacheEntryUpdatedListener<String, Product> {

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends Product>> events) {
      events.forEach(Catalog::seen);
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends Product>> events) {
      events.forEach(Catalog::seen);
    }
  }
}
