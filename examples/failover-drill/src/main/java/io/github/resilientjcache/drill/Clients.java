package io.github.resilientjcache.drill;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.near.NearCache;
import io.github.resilientjcache.jcache.ResilientCache;
import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.jspecify.annotations.Nullable;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.jcache.configuration.RedissonConfiguration;

/** The clients the drill compares, each reached through {@code javax.cache} as its users reach it. */
final class Clients {

  static final String RESILIENT = "resilient-jcache";
  static final String REDISSON = "redisson-jcache";
  static final String REDISSON_TUNED = "redisson-jcache-tuned";
  static final String SEED = "seed-pattern";
  static final List<String> NAMES = List.of(RESILIENT, REDISSON, REDISSON_TUNED, SEED);

  static final String REDISSON_PROVIDER = "org.redisson.jcache.JCachingProvider";
  private static final AtomicLong MANAGERS = new AtomicLong();

  private Clients() {}

  static DrillClient open(String name, PrimaryEndpointRedis redis) {
    return switch (name) {
      case RESILIENT -> resilient(redis);
      case REDISSON -> redisson(REDISSON, defaults(redis));
      case REDISSON_TUNED -> redisson(REDISSON_TUNED, tunedRedisson(redis));
      case SEED -> new SeedPatternClient(SEED, defaults(redis));
      default -> throw new IllegalArgumentException("no client named " + name);
    };
  }

  /**
   * Redisson's defaults, as most users run it: only the address, and the resolver that knows the drill's DNS
   * name (a real deployment gets that from its DNS server).
   */
  static Config defaults(PrimaryEndpointRedis redis) {
    Config c = new Config();
    c.useSingleServer().setAddress(redis.uri());
    c.setAddressResolverGroupFactory(redis.dns().addressResolverGroupFactory());
    return c;
  }

  /**
   * The settings docs/failover.md recommends for a cache: what resilient-jcache runs with here. For Redisson's
   * own row, also what our supervisor does on its side: the DNS name checked every second (ours: every second,
   * every 200 ms while Redis is away) and idle connections pinged every second (ours probes every 500 ms).
   */
  static Config tuned(PrimaryEndpointRedis redis) {
    Config c = defaults(redis);
    c.useSingleServer().setTimeout(1000).setConnectTimeout(2000).setRetryAttempts(1)
        .setRetryDelay(new ConstantDelay(Duration.ofMillis(100)));
    return c;
  }

  /** {@link #tuned} plus the DNS and connection checks our supervisor makes itself, for Redisson's JCache. */
  static Config tunedRedisson(PrimaryEndpointRedis redis) {
    Config c = tuned(redis);
    c.useSingleServer().setDnsMonitoringInterval(1000).setPingConnectionInterval(1000);
    return c;
  }

  static MutableConfiguration<String, Long> longs() {
    return new MutableConfiguration<String, Long>().setTypes(String.class, Long.class);
  }

  static URI managerUri(String name) {
    return URI.create("drill:" + name + ":" + MANAGERS.incrementAndGet());
  }

  private static DrillClient resilient(PrimaryEndpointRedis redis) {
    Properties props = new Properties();
    props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, tuned(redis));
    props.put(ResilientCachingProvider.NEAR_CACHE_PROPERTY, "true");
    CacheManager manager = Caching.getCachingProvider(ResilientCachingProvider.NAME)
        .getCacheManager(managerUri(RESILIENT), Clients.class.getClassLoader(), props);
    Cache<String, Long> cache = manager.createCache("drill-" + RESILIENT, longs());
    RedisSupervisor supervisor = manager.unwrap(RedisSupervisor.class);
    ResilientCache<?, ?> resilient = cache.unwrap(ResilientCache.class);
    NearCache<?> near = resilient.nearCache().orElseThrow(() -> new IllegalStateException(
        "the drill's cache has no near cache; is nearCache.enabled overridden?"));
    return new JCacheClient(RESILIENT, manager, cache) {
      @Override
      public long generation() {
        return supervisor.generation();
      }

      @Override
      public String state() {
        return supervisor.state().name();
      }

      @Override
      public long rebuilds() {
        return supervisor.rebuildCount();
      }

      @Override
      public long staleReadsServed() {
        return near.statistics().staleHits();
      }

      @Override
      public boolean inSync() {
        return near.inSync();
      }

      @Override
      public boolean hasNearCache() {
        return true;
      }

      @Override
      @SuppressWarnings("unchecked")
      public Boolean nearAnswers(String key) {
        return ((NearCache<Object>) near).answers(key); // a String key is its own near key
      }
    };
  }

  private static DrillClient redisson(String name, Config config) {
    CacheManager manager = Caching.getCachingProvider(REDISSON_PROVIDER)
        .getCacheManager(managerUri(name), Clients.class.getClassLoader());
    Cache<String, Long> cache = manager.createCache("drill-" + name, RedissonConfiguration.fromConfig(config,
        longs()));
    return new JCacheClient(name, manager, cache);
  }

  /** A plain {@code javax.cache.Cache}: one client for its whole life, nothing to report but its calls. */
  static class JCacheClient implements DrillClient {
    private final String name;
    private final CacheManager manager;
    private final Cache<String, Long> cache;

    JCacheClient(String name, CacheManager manager, Cache<String, Long> cache) {
      this.name = name;
      this.manager = manager;
      this.cache = cache;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public @Nullable Long get(String key) {
      return cache.get(key);
    }

    @Override
    public void put(String key, long value) {
      cache.put(key, value);
    }

    @Override
    public long generation() {
      return 1;
    }

    @Override
    public String state() {
      return "-";
    }

    @Override
    public long rebuilds() {
      return 0;
    }

    @Override
    public long staleReadsServed() {
      return 0;
    }

    @Override
    public void close() {
      manager.close();
    }
  }
}
