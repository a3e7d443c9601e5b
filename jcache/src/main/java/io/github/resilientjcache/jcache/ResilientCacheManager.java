package io.github.resilientjcache.jcache;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.ResilienceConfig;
import io.github.resilientjcache.core.ResilientRedisException;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.core.config.ConfigFile;
import io.github.resilientjcache.core.near.NearCacheConfig;
import io.github.resilientjcache.core.config.UriText;
import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.jcache.event.Listeners;
import io.github.resilientjcache.jcache.event.SerialExecutor;
import io.github.resilientjcache.jcache.management.ManagementBeans;
import io.github.resilientjcache.jcache.store.ChangeFeed;
import io.github.resilientjcache.jcache.store.KeyLayout;
import io.github.resilientjcache.jcache.store.RedisStore;
import io.github.resilientjcache.jcache.store.ValueCodec;
import java.net.URI;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import org.jspecify.annotations.Nullable;
import org.redisson.config.BaseMasterSlaveServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

/**
 * The caches of one (URI, class loader), and the one {@link RedisSupervisor} they all share: a failover
 * rebuilds one client, and every cache of the manager uses it from its next call. The URI names the config
 * file (a Redisson YAML config with our sections), or, as {@code redis://host:port} or {@code rediss://},
 * a single server with the default settings.
 */
public final class ResilientCacheManager implements CacheManager {

  /** The largest serialized value a cache writes or reads back, unless serialization.maxValueBytes says. */
  private static final long MAX_VALUE_BYTES = 64L << 20;
  private static final int BACKGROUND_THREADS = 4;

  private final ResilientCachingProvider provider;
  private final URI uri;
  private final ClassLoader classLoader;
  private final Properties properties;
  private final RedisSupervisor redis;
  /** Classes every cache of this manager may read back, from the config's {@code serialization:} section. */
  private final List<String> allowedClasses;
  /** The largest serialized value, from {@code serialization.maxValueBytes}. */
  private final long maxValueBytes;
  /** Per-cache settings from the config file's {@code caches:} section. */
  private final Map<String, CacheSettings> settings;
  /** Every cache's near cache settings, from the config file's {@code nearCache:} section. */
  private final NearCacheConfig nearCache;
  private final ConcurrentMap<String, ResilientCache<?, ?>> caches = new ConcurrentHashMap<>();
  /** Threads for what runs in the background: loadAll, asynchronous listeners. Idle ones go away. */
  private final ThreadPoolExecutor background;
  /** Lease renewals and registry checks of the caches' change feeds. */
  private final ScheduledThreadPoolExecutor timer;
  /** This manager among those sharing its caches: its own changes' events come back and are dropped. */
  private final String origin = Long.toHexString(new SecureRandom().nextLong() | Long.MIN_VALUE);
  private volatile boolean closed;

  ResilientCacheManager(ResilientCachingProvider provider, URI uri, ClassLoader classLoader, Properties properties) {
    this.provider = provider;
    this.uri = uri;
    this.classLoader = classLoader;
    this.properties = properties;
    ConfigFile file = configFile(uri, classLoader, properties);
    this.allowedClasses = file == null ? List.of() : allowedClasses(file);
    this.maxValueBytes = file == null ? MAX_VALUE_BYTES : maxValueBytes(file);
    this.nearCache = nearCacheDefaults(file, properties);
    this.settings = file == null ? Map.of() : CacheSettings.read(file, nearCache);
    try {
      this.redis = supervisor(uri, file, properties);
    } catch (ResilientRedisException e) {
      // A wrong password, an unreachable endpoint at start: the supervisor's message names the endpoint,
      // never the password.
      throw new CacheException("the cache manager for " + describe(uri) + " cannot start: " + e.getMessage(), e);
    }
    this.background = new ThreadPoolExecutor(BACKGROUND_THREADS, BACKGROUND_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), backgroundThreads(describe(uri)));
    this.background.allowCoreThreadTimeOut(true);
    this.timer = new ScheduledThreadPoolExecutor(1, backgroundThreads("timer, " + describe(uri)));
    this.timer.setRemoveOnCancelPolicy(true);
    // A new client, or a lost connection, may have missed a clear, a listener's arrival or an invalidation:
    // read them again, and reconcile the near caches.
    redis.events().onEvent(e -> {
      if (e instanceof SupervisorEvent.GenerationChanged || e instanceof SupervisorEvent.ConnectionLost) {
        caches.values().forEach(c -> c.resync(e.type().toString()));
      } else if (e instanceof SupervisorEvent.StateTransition t) {
        if (t.to() == SupervisorState.UNAVAILABLE) {
          // First: a cache derived from others must not serve through an outage whose writes it cannot see.
          caches.values().stream().filter(c -> clearsAfterOutage(c.getName()))
              .forEach(c -> c.owesClear("Redis is unavailable"));
        }
        caches.values().forEach(c -> c.stateChanged(t.to()));
      }
    });
  }

  private static ThreadFactory backgroundThreads(String manager) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "resilient-jcache-" + n.incrementAndGet() + " (" + manager + ")");
      t.setDaemon(true);
      return t;
    };
  }

  /** The config file at the URI; none when the URI is a server or the properties bring a Redisson config. */
  private static @Nullable ConfigFile configFile(URI uri, ClassLoader classLoader, Properties properties) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("redis") || scheme.equals("rediss")) {
      return null;
    }
    // With a Redisson config in the properties, a config file still brings our sections, if there is one;
    // any other URI only names the manager.
    if (properties.get(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY) != null && !isConfigFile(uri, scheme,
        classLoader)) {
      return null;
    }
    return ConfigFile.load(uri, classLoader);
  }

  /**
   * The near cache settings every cache starts from: the config file's {@code nearCache:} section, or, with
   * no file, the property {@value ResilientCachingProvider#NEAR_CACHE_PROPERTY} ({@code true} turns it on).
   */
  private static NearCacheConfig nearCacheDefaults(@Nullable ConfigFile file, Properties properties) {
    NearCacheConfig config = file == null ? NearCacheConfig.defaults() : NearCacheConfig.read(file);
    Object on = properties.get(ResilientCachingProvider.NEAR_CACHE_PROPERTY);
    return on == null ? config : config.withEnabled(Boolean.parseBoolean(on.toString()));
  }

  private static boolean isConfigFile(URI uri, String scheme, ClassLoader classLoader) {
    return switch (scheme) {
      case "file" -> java.nio.file.Files.isRegularFile(java.nio.file.Path.of(uri));
      case "classpath" -> classLoader.getResource(uri.getSchemeSpecificPart().replaceFirst("^/", "")) != null;
      case "jar" -> true;
      default -> false;
    };
  }

  private static List<String> allowedClasses(ConfigFile file) {
    Object listed = file.serialization().get("allowedClasses");
    if (listed == null) {
      return List.of();
    }
    List<String> patterns = new ArrayList<>();
    if (listed instanceof List<?> list) {
      for (Object p : list) {
        if (p instanceof String s && !s.isBlank()) {
          patterns.add(s.trim());
          continue;
        }
        throw new CacheException(file.source() + ": serialization.allowedClasses must list class names or"
            + " patterns (com.acme.Order, com.acme.*, com.acme.**) but has " + p);
      }
      return List.copyOf(patterns);
    }
    throw new CacheException(file.source() + ": serialization.allowedClasses must be a list of class names or"
        + " patterns (com.acme.Order, com.acme.*, com.acme.**) but was " + listed);
  }

  private static long maxValueBytes(ConfigFile file) {
    Object given = file.serialization().get("maxValueBytes");
    if (given == null) {
      return MAX_VALUE_BYTES;
    }
    if ((given instanceof Integer || given instanceof Long) && ((Number) given).longValue() > 0
        && ((Number) given).longValue() <= Integer.MAX_VALUE - 8) {
      return ((Number) given).longValue();
    }
    throw file.problem("serialization.maxValueBytes", "must be a whole number of bytes from 1 to "
        + (Integer.MAX_VALUE - 8) + " (Redis takes at most 512 MB per value), not " + given);
  }

  private static RedisSupervisor supervisor(URI uri, @Nullable ConfigFile file, Properties properties) {
    String name = "jcache";
    Object given = properties.get(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY);
    if (given instanceof Config config) {
      return RedisSupervisor.builder(new PrimaryReads(config))
          .resilience(file == null ? ResilienceConfig.defaults() : file.resilience()).name(name).build();
    }
    if (given != null) {
      throw new IllegalArgumentException(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY + " must be a "
          + Config.class.getName() + " but was a " + given.getClass().getName());
    }
    if (file == null) {
      Config config = new Config();
      config.useSingleServer().setAddress(uri.toString());
      return RedisSupervisor.builder(config).resilience(ResilienceConfig.defaults()).name(name).build();
    }
    return RedisSupervisor.builder(new PrimaryReads(file.redissonConfig())).resilience(file.resilience()).name(name)
        .build();
  }

  /**
   * A Redisson config whose reads go to primaries. Redisson reads from replicas by default, and a replica
   * is behind: {@code containsKey} just after a put, an iteration, or the epoch after a {@code clear()}
   * would miss what this very client wrote. A cache reads its own writes; replicas are for failover (and
   * the near cache is for read load).
   */
  private static final class PrimaryReads extends Config {
    PrimaryReads(Config config) {
      super(config);
      for (BaseMasterSlaveServersConfig<?> servers : java.util.Arrays.asList(getClusterServersConfig(),
          getSentinelServersConfig(), getMasterSlaveServersConfig(), getReplicatedServersConfig())) {
        if (servers != null) {
          servers.setReadMode(ReadMode.MASTER);
        }
      }
    }
  }

  @Override
  public <K, V, C extends Configuration<K, V>> Cache<K, V> createCache(String cacheName, C configuration) {
    checkOpen();
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(configuration, "configuration");
    MutableConfiguration<K, V> config = settings.getOrDefault(cacheName, CacheSettings.NONE)
        .applyTo(copy(configuration));
    if (!config.isStoreByValue()) {
      throw new UnsupportedOperationException("cache " + cacheName + ": store-by-reference is not supported (entries"
          + " live in Redis: always by value)");
    }
    if (caches.containsKey(cacheName)) {
      throw new CacheException("a cache named " + cacheName + " exists already in " + describe(uri));
    }
    synchronized (caches) {
      if (caches.containsKey(cacheName)) {
        throw new CacheException("a cache named " + cacheName + " exists already in " + describe(uri));
      }
      ResilientCache<K, V> cache = newCache(cacheName, config);
      // Made during an outage, or after one whose failed writes are not all settled: it owes a clear too.
      if (clearsAfterOutage(cacheName) && (redis.state() == SupervisorState.UNAVAILABLE
          || caches.values().stream().anyMatch(ResilientCache::owesRedis))) {
        cache.owesClear("created while Redis is away or owed failed writes");
      }
      caches.put(cacheName, cache);
      return cache;
    }
  }

  /**
   * A write of {@code cache} failed for want of Redis: every other cache set to {@code clearAfterOutage} owes a
   * clear ({@link CacheSettings}). A failed write of such a cache itself journals only its own keys.
   */
  void writeFailed(ResilientCache<?, ?> cache) {
    if (clearsAfterOutage(cache.getName())) {
      return;
    }
    for (ResilientCache<?, ?> c : caches.values()) {
      if (c != cache && clearsAfterOutage(c.getName())) {
        c.owesClear("a write of cache " + cache.getName() + " failed while Redis was away");
      }
    }
  }

  private boolean clearsAfterOutage(String cacheName) {
    return settings.getOrDefault(cacheName, CacheSettings.NONE).clearAfterOutage();
  }

  private <K, V> ResilientCache<K, V> newCache(String cacheName, MutableConfiguration<K, V> config) {
    Set<Class<?>> types = new LinkedHashSet<>(List.of(config.getKeyType(), config.getValueType()));
    ValueCodec codec = new ValueCodec(cacheName, classLoader, types, allowedClasses, maxValueBytes);
    RedisStore store = new RedisStore(redis, new KeyLayout(cacheName));
    return new ResilientCache<>(cacheName, this, config, store, codec,
        background, new Listeners<>(cacheName, new SerialExecutor(background)),
        new ManagementBeans(describe(uri), cacheName),
        settings.getOrDefault(cacheName, CacheSettings.NONE).nearCache(nearCache),
        feed -> new ChangeFeed(redis, store, origin, timer, feed));
  }

  private static <K, V> MutableConfiguration<K, V> copy(Configuration<K, V> configuration) {
    if (configuration instanceof CompleteConfiguration<K, V> complete) {
      return new MutableConfiguration<>(complete);
    }
    MutableConfiguration<K, V> m = new MutableConfiguration<>();
    m.setTypes(configuration.getKeyType(), configuration.getValueType());
    m.setStoreByValue(configuration.isStoreByValue());
    return m;
  }

  @Override
  public <K, V> Cache<K, V> getCache(String cacheName, Class<K> keyType, Class<V> valueType) {
    checkOpen();
    Objects.requireNonNull(keyType, "keyType");
    Objects.requireNonNull(valueType, "valueType");
    ResilientCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache == null) {
      return null;
    }
    if (cache.keyType() != keyType || cache.valueType() != valueType) {
      throw new ClassCastException("cache " + cacheName + " holds " + cache.keyType().getName() + " -> "
          + cache.valueType().getName() + ", not " + keyType.getName() + " -> " + valueType.getName());
    }
    @SuppressWarnings("unchecked")
    Cache<K, V> typed = (Cache<K, V>) cache;
    return typed;
  }

  @Override
  public <K, V> Cache<K, V> getCache(String cacheName) {
    checkOpen();
    @SuppressWarnings("unchecked")
    Cache<K, V> cache = (Cache<K, V>) caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    return cache;
  }

  @Override
  public Iterable<String> getCacheNames() {
    checkOpen();
    return Set.copyOf(caches.keySet());
  }

  /** Empties the cache in Redis and forgets it here. */
  @Override
  public void destroyCache(String cacheName) {
    checkOpen();
    ResilientCache<?, ?> cache = caches.remove(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      cache.clear();
      cache.close();
    }
  }

  @Override
  public void enableManagement(String cacheName, boolean enabled) {
    checkOpen();
    ResilientCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      cache.enableManagement(enabled);
    }
  }

  @Override
  public void enableStatistics(String cacheName, boolean enabled) {
    checkOpen();
    ResilientCache<?, ?> cache = caches.get(Objects.requireNonNull(cacheName, "cacheName"));
    if (cache != null) {
      cache.enableStatistics(enabled);
    }
  }

  @Override
  public CachingProvider getCachingProvider() {
    return provider;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  @Override
  public Properties getProperties() {
    return properties;
  }

  /** The supervisor every cache of this manager goes through. */
  public RedisSupervisor supervisor() {
    return redis;
  }

  void closed(ResilientCache<?, ?> cache) {
    caches.remove(cache.getName(), cache);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ResilientCache<?, ?> cache : List.copyOf(caches.values())) {
      cache.close();
    }
    background.shutdown();
    timer.shutdownNow();
    redis.close();
    provider.closed(this);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isAssignableFrom(getClass())) {
      return clazz.cast(this);
    }
    if (clazz.isInstance(redis)) {
      return clazz.cast(redis);
    }
    throw new IllegalArgumentException("the cache manager unwraps to " + getClass().getName() + " or "
        + RedisSupervisor.class.getName() + ", not to " + clazz.getName());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the cache manager for " + describe(uri) + " is closed");
    }
  }

  @Override
  public String toString() {
    return "ResilientCacheManager[" + describe(uri) + ", " + redis.endpoint() + "]";
  }

  /** A URI for messages: without user info, which may hold a password. */
  static String describe(URI uri) {
    return UriText.withoutCredentials(uri.toString());
  }
}
