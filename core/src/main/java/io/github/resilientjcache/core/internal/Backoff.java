package io.github.resilientjcache.core.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": attempt n waits a uniformly random time in [d/2, d], where d
 * doubles from {@code initial} up to {@code max}. The random half spreads a fleet of servers that lost
 * Redis at the same moment, so they do not all reconnect to a recovering node in the same instant; the
 * fixed half keeps a single server from hammering it.
 */
final class Backoff {

  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;

  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The wait after failed attempt {@code failures} (1 for the first failure). */
  Duration delay(int failures) {
    long d = initialNanos;
    for (int i = 1; i < failures && d < maxNanos; i++) {
      d = d > maxNanos / 2 ? maxNanos : d * 2;
    }
    d = Math.min(d, maxNanos);
    long half = d / 2;
    return Duration.ofNanos(half + (long) (random.getAsDouble() * (d - half)));
  }
}
