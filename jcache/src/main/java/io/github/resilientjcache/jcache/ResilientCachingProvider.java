package io.github.resilientjcache.jcache;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCache provider: name it, since Redisson's jar registers a provider of its own.
 *
 * <pre>{@code
 * CachingProvider provider = Caching.getCachingProvider(ResilientCachingProvider.class.getName());
 * CacheManager manager = provider.getCacheManager(URI.create("classpath:resilient-jcache.yaml"), null);
 * }</pre>
 *
 * <p>One {@link CacheManager} per (URI, class loader). With no URI (as the JCache TCK asks), the default
 * is the system property {@value #CONFIG_PROPERTY} (a URI or a path), else {@code resilient-jcache.yaml}
 * on the class path, else {@code redis://127.0.0.1:6379}.
 */
public final class ResilientCachingProvider implements CachingProvider {

  /** This provider's class name, as {@code Caching.getCachingProvider(String)} and frameworks take it. */
  public static final String NAME = "io.github.resilientjcache.jcache.ResilientCachingProvider";

  /** The system property naming the default config file (a URI, or a path). */
  public static final String CONFIG_PROPERTY = "resilientjcache.config";
  /**
   * A {@link java.util.Properties} key for {@code getCacheManager}: its value, a Redisson
   * {@link org.redisson.config.Config}, is used instead of the file's Redisson part. A {@code file:},
   * {@code classpath:} or {@code jar:} URI still brings the file's own sections ({@code resilience},
   * {@code nearCache}, {@code caches}, {@code serialization}); any other URI only names the manager. For
   * applications that build their Redisson config in code.
   */
  public static final String REDISSON_CONFIG_PROPERTY = "resilientjcache.redissonConfig";
  /**
   * A {@link java.util.Properties} key for {@code getCacheManager}: {@code "true"} or {@code "false"} turns
   * every cache's near cache on or off, over the config file's {@code nearCache.enabled}.
   */
  public static final String NEAR_CACHE_PROPERTY = "resilientjcache.nearCache";
  /** The config file looked for on the class path when the property is not set. */
  public static final String CLASSPATH_CONFIG = "resilient-jcache.yaml";
  private static final URI LOCAL_REDIS = URI.create("redis://127.0.0.1:6379");

  private static final Logger log = LoggerFactory.getLogger(ResilientCachingProvider.class);
  private static final AtomicBoolean TOLD_HOW_TO_NAME_US = new AtomicBoolean();

  private final Map<ClassLoader, Map<URI, ResilientCacheManager>> managers = new WeakHashMap<>();

  /**
   * Made by {@link java.util.ServiceLoader} when {@code Caching} lists the providers. When another one is
   * registered too (Redisson's jar registers its own), {@code Caching.getCachingProvider()} without a name
   * fails with "Multiple CachingProviders have been configured"; the log says, once, how to name ours.
   */
  public ResilientCachingProvider() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<String> others = otherProviders(loader != null ? loader : getClass().getClassLoader());
    if (!others.isEmpty() && TOLD_HOW_TO_NAME_US.compareAndSet(false, true)) {
      log.info("JCache providers besides resilient-jcache are on the class path ({}), so"
          + " Caching.getCachingProvider() without a name fails with \"Multiple CachingProviders\". Name ours:"
          + " Caching.getCachingProvider(\"{}\"), or the system property javax.cache.spi.CachingProvider,"
          + " hibernate.javax.cache.provider or spring.cache.jcache.provider set to it", others, NAME);
    }
  }

  /** The providers registered for {@code loader} besides this one, by class name (none instantiated). */
  static List<String> otherProviders(ClassLoader loader) {
    List<String> names = new ArrayList<>();
    try {
      ServiceLoader.load(CachingProvider.class, loader).stream().map(ServiceLoader.Provider::type)
          .map(Class::getName).filter(n -> !n.equals(NAME)).distinct().forEach(names::add);
    } catch (java.util.ServiceConfigurationError e) {
      log.debug("listing JCache providers failed: {}", e.toString());
    }
    return names;
  }

  @Override
  public synchronized CacheManager getCacheManager(@Nullable URI uri, @Nullable ClassLoader classLoader,
      @Nullable Properties properties) {
    URI at = uri == null ? getDefaultURI() : uri;
    ClassLoader loader = classLoader == null ? getDefaultClassLoader() : classLoader;
    Map<URI, ResilientCacheManager> byUri = managers.computeIfAbsent(loader, l -> new HashMap<>());
    ResilientCacheManager m = byUri.get(at);
    if (m == null || m.isClosed()) {
      Properties props = new Properties();
      if (properties != null) {
        props.putAll(properties);
      }
      m = new ResilientCacheManager(this, at, loader, props);
      byUri.put(at, m);
    }
    return m;
  }

  @Override
  public CacheManager getCacheManager(@Nullable URI uri, @Nullable ClassLoader classLoader) {
    return getCacheManager(uri, classLoader, null);
  }

  @Override
  public CacheManager getCacheManager() {
    return getCacheManager(null, null, null);
  }

  @Override
  public ClassLoader getDefaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : ResilientCachingProvider.class.getClassLoader();
  }

  @Override
  public URI getDefaultURI() {
    String configured = System.getProperty(CONFIG_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      String value = configured.trim();
      return value.contains(":") && !value.matches("^[A-Za-z]:[\\\\/].*")
          ? URI.create(value) : Path.of(value).toAbsolutePath().toUri();
    }
    if (getDefaultClassLoader().getResource(CLASSPATH_CONFIG) != null) {
      return URI.create("classpath:" + CLASSPATH_CONFIG);
    }
    return LOCAL_REDIS;
  }

  @Override
  public Properties getDefaultProperties() {
    return new Properties();
  }

  @Override
  public synchronized void close() {
    for (Map<URI, ResilientCacheManager> byUri : List.copyOf(managers.values())) {
      closeAll(byUri);
    }
    managers.clear();
  }

  @Override
  public synchronized void close(@Nullable ClassLoader classLoader) {
    Map<URI, ResilientCacheManager> byUri = managers.remove(classLoader == null ? getDefaultClassLoader() : classLoader);
    if (byUri != null) {
      closeAll(byUri);
    }
  }

  @Override
  public synchronized void close(@Nullable URI uri, @Nullable ClassLoader classLoader) {
    Map<URI, ResilientCacheManager> byUri = managers.get(classLoader == null ? getDefaultClassLoader() : classLoader);
    if (byUri != null) {
      ResilientCacheManager m = byUri.remove(uri == null ? getDefaultURI() : uri);
      if (m != null) {
        m.close();
      }
    }
  }

  private static void closeAll(Map<URI, ResilientCacheManager> byUri) {
    for (ResilientCacheManager m : List.copyOf(byUri.values())) {
      m.close();
    }
  }

  /** A manager closed itself: forget it. */
  synchronized void closed(ResilientCacheManager manager) {
    Map<URI, ResilientCacheManager> byUri = managers.get(manager.getClassLoader());
    if (byUri != null) {
      byUri.remove(manager.getURI(), manager);
    }
  }

  @Override
  public boolean isSupported(OptionalFeature optionalFeature) {
    Objects.requireNonNull(optionalFeature, "optionalFeature");
    return false; // STORE_BY_REFERENCE, the only one: entries live in Redis, always by value
  }

  @Override
  public String toString() {
    return "ResilientCachingProvider";
  }
}
