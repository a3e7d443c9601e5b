package io.github.resilientjcache.jcache;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.locks.LockSupport;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;

/**
 * The other JVM of {@link TwoJvmInvalidationTest}: reads one key from its near cache over and over, and
 * prints {@code seen <value>} each time the value it gets changes. Prints {@code ready} once its near cache
 * is in sync; ends when its standard input does.
 *
 * <p>{@code java -cp ... InvalidationWatcher <config URI> <cache> <key>}
 */
public final class InvalidationWatcher {

  private InvalidationWatcher() {}

  public static void main(String[] args) throws Exception {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent's end of the pipe is open: go on
        }
      } catch (IOException e) {
        // the parent is gone
      }
      System.exit(0);
    }, "stdin-watch");
    stdin.setDaemon(true);
    stdin.start();
    CacheManager manager = Caching.getCachingProvider(ResilientCachingProvider.NAME)
        .getCacheManager(URI.create(args[0]), InvalidationWatcher.class.getClassLoader());
    Cache<String, String> cache = manager.createCache(args[1], Configs.strings());
    ResilientCache<?, ?> resilient = cache.unwrap(ResilientCache.class);
    while (!resilient.nearCache().orElseThrow().inSync()) {
      LockSupport.parkNanos(1_000_000);
    }
    System.out.println("ready");
    System.out.flush();
    String last = null;
    while (true) {
      String v = cache.get(args[2]);
      if (v != null && !v.equals(last)) {
        System.out.println("seen " + v);
        System.out.flush();
        last = v;
      }
      LockSupport.parkNanos(10_000);
    }
  }
}
