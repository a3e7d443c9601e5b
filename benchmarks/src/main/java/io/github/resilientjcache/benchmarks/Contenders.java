package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.net.URI;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import org.redisson.Redisson;
import org.redisson.api.RMap;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;
import org.redisson.jcache.configuration.RedissonConfiguration;

/**
 * The clients a user would pick to keep 1 KB values in Redis, behind one interface, each set up as its
 * docs say and all with the same Redisson connection settings: ours (with and without its near cache),
 * Redisson's own JCache, and raw
 * Redisson {@code RMap} and {@code RBucket} (no JCache semantics at all: the floor).
 */
final class Contenders {

  private Contenders() {}

  /** One contender's get, put and remove of a byte[] value by String key. */
  interface Store extends AutoCloseable {
    byte[] get(String key);

    void put(String key, byte[] value);

    boolean remove(String key);

    @Override
    void close();
  }

  static final String RESILIENT = "resilient-jcache";
  /** Ours with its near cache on. */
  static final String RESILIENT_NEAR = "resilient-jcache-near";
  static final String REDISSON_JCACHE = "redisson-jcache";
  static final String RMAP = "redisson-rmap";
  static final String RBUCKET = "redisson-rbucket";

  /** The same connection settings for everyone: Redisson's defaults but a shorter timeout. */
  static Config config(StandaloneRedis redis) {
    Config config = new Config();
    config.useSingleServer().setAddress(redis.uri()).setTimeout(1_000);
    return config;
  }

  static Store open(String name, StandaloneRedis redis) {
    return switch (name) {
      case RESILIENT -> ours(redis, false);
      case RESILIENT_NEAR -> ours(redis, true);
      case REDISSON_JCACHE -> redissonJCache(redis);
      case RMAP -> rmap(redis);
      case RBUCKET -> rbucket(redis);
      default -> throw new IllegalArgumentException("no contender named " + name);
    };
  }

  private static MutableConfiguration<String, byte[]> bytes() {
    return new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class);
  }

  private static Store ours(StandaloneRedis redis, boolean near) {
    Properties props = new Properties();
    props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, config(redis));
    props.put(ResilientCachingProvider.NEAR_CACHE_PROPERTY, Boolean.toString(near));
    CacheManager manager = Caching.getCachingProvider(ResilientCachingProvider.NAME)
        .getCacheManager(URI.create(near ? "bench:resilient-near" : "bench:resilient"),
            Contenders.class.getClassLoader(), props);
    return jcache(manager.createCache("bench", bytes()), manager::close);
  }

  private static Store redissonJCache(StandaloneRedis redis) {
    CacheManager manager = Caching.getCachingProvider("org.redisson.jcache.JCachingProvider")
        .getCacheManager(URI.create("bench:redisson"), Contenders.class.getClassLoader());
    Cache<String, byte[]> cache = manager.createCache("bench", RedissonConfiguration.fromConfig(config(redis),
        bytes()));
    return jcache(cache, manager::close);
  }

  private static Store jcache(Cache<String, byte[]> cache, Runnable close) {
    return new Store() {
      @Override
      public byte[] get(String key) {
        return cache.get(key);
      }

      @Override
      public void put(String key, byte[] value) {
        cache.put(key, value);
      }

      @Override
      public boolean remove(String key) {
        return cache.remove(key);
      }

      @Override
      public void close() {
        close.run();
      }
    };
  }

  private static Store rmap(StandaloneRedis redis) {
    RedissonClient client = Redisson.create(config(redis));
    RMap<String, byte[]> map = client.getMap("bench-map");
    return new Store() {
      @Override
      public byte[] get(String key) {
        return map.get(key);
      }

      @Override
      public void put(String key, byte[] value) {
        map.fastPut(key, value);
      }

      @Override
      public boolean remove(String key) {
        return map.fastRemove(key) == 1;
      }

      @Override
      public void close() {
        client.shutdown(0, 2, TimeUnit.SECONDS);
      }
    };
  }

  private static Store rbucket(StandaloneRedis redis) {
    RedissonClient client = Redisson.create(config(redis));
    return new Store() {
      @Override
      public byte[] get(String key) {
        return client.<byte[]>getBucket("bench-bucket:" + key, ByteArrayCodec.INSTANCE).get();
      }

      @Override
      public void put(String key, byte[] value) {
        client.<byte[]>getBucket("bench-bucket:" + key, ByteArrayCodec.INSTANCE).set(value);
      }

      @Override
      public boolean remove(String key) {
        return client.getBucket("bench-bucket:" + key, ByteArrayCodec.INSTANCE).delete();
      }

      @Override
      public void close() {
        client.shutdown(0, 2, TimeUnit.SECONDS);
      }
    };
  }
}
