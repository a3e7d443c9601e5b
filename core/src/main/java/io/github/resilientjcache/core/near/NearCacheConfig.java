package io.github.resilientjcache.core.near;

import io.github.resilientjcache.core.config.ConfigFile;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one cache's near cache behaves, from the config file's {@code nearCache:} section (every cache's
 * defaults) and a cache's own {@code caches.<name>.nearCache} and {@code caches.<name>.onUnavailable}:
 *
 * <pre>{@code
 * nearCache:
 *   enabled: true
 *   maximumSize: 10000        # entries; or maximumWeight: 64MB, by the serialized values' size
 *   maximumAge: 10m           # since the entry was written or read from Redis: a safety net
 *   staleness: 30s            # how long entries are still served once invalidations may be missed
 *   journalSize: 10000        # keys whose write failed, remembered until Redis has them removed
 *   beaconInterval: 1s        # how often a JVM checks its subscription delivers; 3 missed: out of sync
 *   onUnavailable: FAIL       # or MISS
 * caches:
 *   users:
 *     nearCache: { maximumSize: 500 }   # or: nearCache: false
 *     onUnavailable: MISS
 * }</pre>
 *
 * @param enabled whether the cache has a near cache
 * @param maximumSize the most entries it holds, or 0 when {@code maximumWeight} bounds it instead
 * @param maximumWeight the most bytes of serialized values it holds, or 0 when {@code maximumSize} does
 * @param maximumAge how long an entry is kept after it was written or read from Redis, at most
 * @param staleness how long entries are still served after the cache may have started to miss invalidations
 *     (an outage, a lost connection), counted as stale hits; after that, reads go to Redis
 * @param journalSize the most keys whose write or remove failed that the cache remembers; beyond that it
 *     remembers only that the whole cache must be cleared on recovery
 * @param beaconInterval how often each JVM sends itself a beacon through the cache's events channel; three
 *     intervals without one back mean the subscription is silent. Each JVM with the cache publishes one
 *     per interval, delivered to every JVM with it: a fleet of N JVMs costs N x N deliveries per interval
 * @param onUnavailable what a call Redis cannot answer does, near cache or not
 */
public record NearCacheConfig(boolean enabled, long maximumSize, long maximumWeight, Duration maximumAge,
    Duration staleness, int journalSize, Duration beaconInterval, OnUnavailable onUnavailable) {

  private static final String KNOWN = "enabled, maximumSize, maximumWeight, maximumAge, staleness, journalSize,"
      + " beaconInterval and onUnavailable";

  public NearCacheConfig {
    Objects.requireNonNull(maximumAge, "maximumAge");
    Objects.requireNonNull(staleness, "staleness");
    Objects.requireNonNull(beaconInterval, "beaconInterval");
    Objects.requireNonNull(onUnavailable, "onUnavailable");
    if (beaconInterval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("beaconInterval must be at least 100ms but was " + beaconInterval);
    }
    if ((maximumSize > 0) == (maximumWeight > 0)) {
      throw new IllegalArgumentException("a near cache is bounded by exactly one of maximumSize and maximumWeight,"
          + " but was given maximumSize " + maximumSize + " and maximumWeight " + maximumWeight);
    }
    if (maximumAge.isNegative() || maximumAge.isZero()) {
      throw new IllegalArgumentException("maximumAge must be longer than zero but was " + maximumAge);
    }
    if (staleness.isNegative()) {
      throw new IllegalArgumentException("staleness must not be negative but was " + staleness);
    }
    if (journalSize < 1) {
      throw new IllegalArgumentException("journalSize must be at least 1 but was " + journalSize);
    }
  }

  /** Off; 10 000 entries, 10 minutes, 30 seconds of staleness, 10 000 journalled keys, a beacon a second, FAIL. */
  public static NearCacheConfig defaults() {
    return new NearCacheConfig(false, 10_000, 0, Duration.ofMinutes(10), Duration.ofSeconds(30), 10_000,
        Duration.ofSeconds(1), OnUnavailable.FAIL);
  }

  public NearCacheConfig withEnabled(boolean on) {
    return new NearCacheConfig(on, maximumSize, maximumWeight, maximumAge, staleness, journalSize, beaconInterval,
        onUnavailable);
  }

  public NearCacheConfig withOnUnavailable(OnUnavailable policy) {
    return new NearCacheConfig(enabled, maximumSize, maximumWeight, maximumAge, staleness, journalSize,
        beaconInterval, policy);
  }

  public NearCacheConfig withStaleness(Duration d) {
    return new NearCacheConfig(enabled, maximumSize, maximumWeight, maximumAge, d, journalSize, beaconInterval,
        onUnavailable);
  }

  /** Every cache's defaults: the file's {@code nearCache:} section over {@link #defaults()}. */
  public static NearCacheConfig read(ConfigFile file) {
    return defaults().with(file, "nearCache", file.nearCache());
  }

  /**
   * This configuration with a cache's own {@code nearCache} setting at {@code path} over it: a mapping of
   * the settings above, or {@code true}/{@code false} for on/off. A bad one fails with the file, line and key.
   */
  public NearCacheConfig with(ConfigFile file, String path, @Nullable Object value) {
    if (value == null) {
      return this;
    }
    if (value instanceof Boolean on) {
      return withEnabled(on);
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw file.problem(path, "must be true, false or a mapping of " + KNOWN + ", not " + value);
    }
    boolean on = enabled; // only enabled (or true/false) turns it on or off
    long size = maximumSize;
    long weight = maximumWeight;
    Duration age = maximumAge;
    Duration stale = staleness;
    int journal = journalSize;
    Duration beacon = beaconInterval;
    OnUnavailable policy = onUnavailable;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String at = path + "." + e.getKey();
      Object v = e.getValue();
      switch (String.valueOf(e.getKey())) {
        case "enabled" -> {
          if (!(v instanceof Boolean b)) {
            throw file.problem(at, "must be true or false, not " + v);
          }
          on = b;
        }
        case "maximumSize" -> {
          size = positive(file, at, v, "a whole number of entries such as 10000");
          weight = map.containsKey("maximumWeight") ? weight : 0;
        }
        case "maximumWeight" -> {
          weight = bytes(file, at, v);
          size = map.containsKey("maximumSize") ? size : 0;
        }
        case "maximumAge" -> age = longerThanZero(file, at, v);
        case "staleness" -> {
          stale = file.duration(at, v);
          if (stale.isNegative()) {
            throw file.problem(at, "must not be negative, not " + v);
          }
        }
        case "journalSize" -> journal = (int) Math.min(Integer.MAX_VALUE, positive(file, at, v,
            "a whole number of keys such as 10000"));
        case "beaconInterval" -> {
          beacon = longerThanZero(file, at, v);
          if (beacon.compareTo(Duration.ofMillis(100)) < 0) {
            throw file.problem(at, "must be at least 100ms, not " + v);
          }
        }
        case "onUnavailable" -> policy = onUnavailable(file, at, v);
        default -> throw file.problem(at, "is not a near cache setting; nearCache takes " + KNOWN);
      }
    }
    if (size > 0 && weight > 0) {
      throw file.problem(path, "takes maximumSize or maximumWeight, not both");
    }
    return new NearCacheConfig(on, size, weight, age, stale, journal, beacon, policy);
  }

  /** Reads {@code FAIL} or {@code MISS} (any case) at {@code path}. */
  public static OnUnavailable onUnavailable(ConfigFile file, String path, @Nullable Object value) {
    if (value instanceof String s) {
      try {
        return OnUnavailable.valueOf(s.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // named below
      }
    }
    throw file.problem(path, "must be FAIL or MISS, not " + value);
  }

  private static long positive(ConfigFile file, String path, @Nullable Object v, String example) {
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() > 0) {
      return ((Number) v).longValue();
    }
    throw file.problem(path, "must be " + example + ", not " + v);
  }

  /** A number of bytes: {@code 67108864}, or with a unit, {@code 512KB}, {@code 64MB}, {@code 1GB}. */
  private static long bytes(ConfigFile file, String path, @Nullable Object v) {
    if (v instanceof String s) {
      String t = s.strip().toUpperCase(Locale.ROOT);
      long unit = t.endsWith("GB") ? 1L << 30 : t.endsWith("MB") ? 1L << 20 : t.endsWith("KB") ? 1L << 10 : 1;
      String digits = unit == 1 ? (t.endsWith("B") ? t.substring(0, t.length() - 1) : t)
          : t.substring(0, t.length() - 2);
      try {
        long n = Long.parseLong(digits.strip());
        if (n > 0 && n <= Long.MAX_VALUE / unit) {
          return n * unit;
        }
      } catch (NumberFormatException e) {
        // named below
      }
      throw file.problem(path, "must be a size such as 64MB, 512KB or 67108864, not " + s);
    }
    return positive(file, path, v, "a size such as 64MB, 512KB or 67108864");
  }

  private static Duration longerThanZero(ConfigFile file, String path, @Nullable Object v) {
    Duration d = file.duration(path, v);
    if (d.isNegative() || d.isZero()) {
      throw file.problem(path, "must be longer than zero, not " + v);
    }
    return d;
  }
}
