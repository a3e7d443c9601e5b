package io.github.resilientjcache.examples.hibernate;

import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.jcache.ResilientCache;
import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.hibernate.SessionFactory;

/** Test helpers: a SessionFactory whose cache manager reaches the test's primary endpoint by its DNS name. */
final class Caches {

  private static final AtomicLong MANAGERS = new AtomicLong();

  private Caches() {}

  /**
   * A cache manager of its own (a JVM of its own, as far as the cache goes): the Redisson part from code, for
   * the test's DNS name; the near cache and onUnavailable from the example's file.
   */
  static CacheManager manager(PrimaryEndpointRedis redis) {
    Properties props = new Properties();
    props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, RedisConfigs.primaryEndpoint(redis));
    URI file = URI.create("classpath:hibernate-cache.yaml");
    return Caching.getCachingProvider(Library.PROVIDER).getCacheManager(
        URI.create(file + "#" + MANAGERS.incrementAndGet()), Caches.class.getClassLoader(), props);
  }

  /**
   * Waits until both managers are back on a new client with their near caches in sync, and {@code writer}
   * (whose writes failed during the outage) has replayed its journals.
   */
  static void awaitRecovered(CacheManager other, CacheManager writer) {
    RedisSupervisor a = other.unwrap(RedisSupervisor.class);
    RedisSupervisor b = writer.unwrap(RedisSupervisor.class);
    await("both cache managers back on the new primary, near caches in sync, journals replayed")
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.state() == SupervisorState.AVAILABLE && b.state() == SupervisorState.AVAILABLE
            && a.generation() > 1 && b.generation() > 1 && inSync(other) && inSync(writer) && journalsEmpty(writer));
  }

  static SessionFactory sessionFactory(String database, CacheManager manager) {
    return Library.sessionFactory(database, "hibernate-cache.yaml",
        Map.of("hibernate.javax.cache.cache_manager", manager));
  }

  /**
   * Whether every region of {@code manager} has replayed what its writes owed Redis during an outage (keys
   * to remove, or a whole region to clear).
   */
  static boolean journalsEmpty(CacheManager manager) {
    for (String name : manager.getCacheNames()) {
      if (!manager.getCache(name).unwrap(ResilientCache.class).journal().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** How many keys region {@code name} of {@code manager} owes Redis a removal of. */
  static int journalSize(CacheManager manager, String name) {
    return manager.getCache(name).unwrap(ResilientCache.class).journalSize();
  }

  /** Whether every region's near cache of {@code manager} is in sync with Redis. */
  static boolean inSync(CacheManager manager) {
    for (String name : manager.getCacheNames()) {
      Cache<?, ?> cache = manager.getCache(name);
      ResilientCache<?, ?> ours = cache.unwrap(ResilientCache.class);
      if (ours.nearCache().isPresent() && !ours.nearCache().get().inSync()) {
        return false;
      }
    }
    return true;
  }
}
