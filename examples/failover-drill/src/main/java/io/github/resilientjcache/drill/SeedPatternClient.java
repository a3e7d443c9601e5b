package io.github.resilientjcache.drill;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;
import org.redisson.jcache.configuration.RedissonConfiguration;

/**
 * The classic workaround for a client that does not follow a failover, ported to Java on Redisson for the
 * drill only (never part of the library): when a call fails, a watchdog pings Redis with a 3 s timeout,
 * sleeping 2 s between pings; a ping that answers ends the watch, and after 10 failed pings in a row it shuts
 * the client down and creates a new one. Calls meanwhile go to the current client.
 */
final class SeedPatternClient implements DrillClient {

  static final long PING_TIMEOUT_MS = 3_000;
  static final long PING_PAUSE_MS = 2_000;
  static final int PINGS_BEFORE_RECREATE = 10;

  private record Generation(RedissonClient redisson, CacheManager manager, Cache<String, Long> cache) {}

  private final String name;
  private final Config config;
  private final ExecutorService watchdog;
  private final AtomicBoolean watching = new AtomicBoolean();
  private final AtomicLong generation = new AtomicLong(1);
  private final AtomicLong rebuilds = new AtomicLong();
  private volatile boolean open = true;
  private volatile String state = "ok";
  private volatile Generation current;

  SeedPatternClient(String name, Config config) {
    this.name = name;
    this.config = config;
    this.watchdog = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-watchdog");
      t.setDaemon(true);
      return t;
    });
    this.current = create();
  }

  private Generation create() {
    RedissonClient redisson = Redisson.create(new Config(config));
    try {
      CacheManager manager = Caching.getCachingProvider(Clients.REDISSON_PROVIDER)
          .getCacheManager(Clients.managerUri(name), getClass().getClassLoader());
      Cache<String, Long> cache = manager.createCache("drill-" + name,
          RedissonConfiguration.fromInstance(redisson, Clients.longs()));
      return new Generation(redisson, manager, cache);
    } catch (RuntimeException e) {
      redisson.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public @Nullable Long get(String key) {
    try {
      return current.cache().get(key);
    } catch (RuntimeException e) {
      failed();
      throw e;
    }
  }

  @Override
  public void put(String key, long value) {
    try {
      current.cache().put(key, value);
    } catch (RuntimeException e) {
      failed();
      throw e;
    }
  }

  private void failed() {
    if (open && watching.compareAndSet(false, true)) {
      watchdog.execute(this::watch);
    }
  }

  private void watch() {
    try {
      int failures = 0;
      while (open) {
        if (ping(current)) {
          state = "ok";
          return;
        }
        failures++;
        state = "ping failed " + failures + "/" + PINGS_BEFORE_RECREATE;
        if (failures >= PINGS_BEFORE_RECREATE) {
          recreate();
          return;
        }
        sleep(PING_PAUSE_MS);
      }
    } finally {
      watching.set(false);
    }
  }

  private static boolean ping(Generation g) {
    try {
      return g.redisson().getRedisNodes(RedisNodes.SINGLE).pingAll(PING_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Shut the client down, then create one (which resolves the name again); retried until it works. */
  private void recreate() {
    state = "recreating";
    shutdown(current);
    while (open) {
      try {
        Generation made = create();
        if (!open) { // closed while it was being made: close() shut the old one down, not this one
          shutdown(made);
          return;
        }
        current = made;
        generation.incrementAndGet();
        rebuilds.incrementAndGet();
        state = "ok";
        return;
      } catch (RuntimeException e) {
        state = "create failed";
        sleep(PING_PAUSE_MS);
      }
    }
  }

  private static void shutdown(Generation g) {
    try {
      g.manager().close();
    } catch (RuntimeException e) {
      // the client goes anyway
    }
    g.redisson().shutdown(0, 2, TimeUnit.SECONDS);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public long generation() {
    return generation.get();
  }

  @Override
  public String state() {
    return state;
  }

  @Override
  public long rebuilds() {
    return rebuilds.get();
  }

  @Override
  public long staleReadsServed() {
    return 0;
  }

  @Override
  public void close() {
    open = false;
    watchdog.shutdownNow();
    shutdown(current);
  }
}
