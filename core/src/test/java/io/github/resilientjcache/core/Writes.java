package io.github.resilientjcache.core;

import java.time.Duration;
import org.redisson.api.options.PlainOptions;

/** Application-like traffic for the failover tests: commands with their options from the session, as the store sends them. */
final class Writes {

  private Writes() {}

  static void set(RedisSupervisor s, String key, String value) {
    s.execute(Idempotence.IDEMPOTENT, key,
        session -> session.client().getBucket(session.options(PlainOptions.name(key))).setAsync(value));
  }

  static String get(RedisSupervisor s, String key) {
    return s.execute(Idempotence.READ, key,
        session -> session.client().<String>getBucket(session.options(PlainOptions.name(key))).getAsync());
  }

  /** Writes every 10 ms until one succeeds; returns how long that took from {@code since}. */
  static Duration untilWriteSucceeds(RedisSupervisor s, long sinceNanos, Duration timeout) {
    return untilWriteSucceedsAfter(s, sinceNanos, Duration.ZERO, timeout, "probe-write");
  }

  static Duration untilWriteSucceedsAfter(RedisSupervisor s, long sinceNanos, Duration firstDelay, Duration timeout) {
    return untilWriteSucceedsAfter(s, sinceNanos, firstDelay, timeout, "probe-write");
  }

  /**
   * Like an application that keeps writing: the first write is sent {@code firstDelay} after {@code since}
   * (so it meets the outage), then one every 10 ms until one succeeds.
   */
  static Duration untilWriteSucceedsAfter(RedisSupervisor s, long sinceNanos, Duration firstDelay, Duration timeout,
      String key) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    int i = 0;
    sleep(Math.max(0, firstDelay.toMillis() - Duration.ofNanos(System.nanoTime() - sinceNanos).toMillis()));
    while (System.nanoTime() < deadline) {
      try {
        set(s, key, Integer.toString(i++));
        return Duration.ofNanos(System.nanoTime() - sinceNanos);
      } catch (RedisUnavailableException e) {
        last = e;
      }
      sleep(10);
    }
    throw new AssertionError("no write succeeded within " + timeout + "; last error: " + last, last);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
