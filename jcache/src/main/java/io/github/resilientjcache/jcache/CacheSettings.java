package io.github.resilientjcache.jcache;

import io.github.resilientjcache.core.config.ConfigFile;
import io.github.resilientjcache.core.near.NearCacheConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * One cache's settings from the config file's {@code caches:} section, for what a program that creates
 * caches by name (Hibernate, Spring) cannot say itself. They override the configuration the program passes
 * to {@code createCache}, for what they set:
 *
 * <pre>{@code
 * caches:
 *   users:
 *     expiry: { policy: modified, duration: 10m }   # created | accessed | modified | touched | eternal
 *     statistics: true
 *     management: true
 *     nearCache: { maximumSize: 500 }              # over the nearCache: section; or true / false
 *     onUnavailable: MISS                          # FAIL (the default) or MISS
 *     clearAfterOutage: true                 # see below; false by default
 * }</pre>
 *
 * <p>{@code clearAfterOutage}: for a cache whose entries are derived from what other caches record, such as
 * Hibernate's query results (valid while the update timestamps say their tables did not change). When this
 * manager's supervisor finds Redis unavailable, or a write of any other cache of the manager fails for want of
 * Redis, this cache owes a clear: it answers nothing (neither its near cache nor Redis) until it has been
 * cleared in Redis, which happens as soon as Redis is back. A failed write of a timestamp becomes a journalled
 * removal, and a missing timestamp reads as "no change": without the clear, results cached before the outage
 * would be served after it, by this manager and by every other.
 */
record CacheSettings(@Nullable Factory<ExpiryPolicy> expiry, @Nullable Boolean statistics,
    @Nullable Boolean management, @Nullable NearCacheConfig near, boolean clearAfterOutage) {

  static final CacheSettings NONE = new CacheSettings(null, null, null, null, false);

  private static final String KNOWN = "expiry, statistics, management, nearCache, onUnavailable and"
      + " clearAfterOutage";

  /**
   * Every cache's settings in {@code file}, its near cache over {@code nearDefaults}, checked now: a bad one
   * fails with the file, line and key.
   */
  static Map<String, CacheSettings> read(ConfigFile file, NearCacheConfig nearDefaults) {
    Map<String, CacheSettings> out = new LinkedHashMap<>();
    file.caches().forEach((name, settings) -> out.put(name, read(file, "caches." + name, settings, nearDefaults)));
    return Map.copyOf(out);
  }

  private static CacheSettings read(ConfigFile file, String path, Map<String, Object> settings,
      NearCacheConfig nearDefaults) {
    Factory<ExpiryPolicy> expiry = null;
    Boolean statistics = null;
    Boolean management = null;
    boolean clearAfterOutage = false;
    NearCacheConfig near = nearDefaults.with(file, path + ".nearCache", settings.get("nearCache"));
    for (Map.Entry<String, Object> e : settings.entrySet()) {
      String at = path + "." + e.getKey();
      switch (e.getKey()) {
        case "expiry" -> expiry = expiry(file, at, e.getValue());
        case "statistics" -> statistics = flag(file, at, e.getValue());
        case "management" -> management = flag(file, at, e.getValue());
        case "clearAfterOutage" -> clearAfterOutage = flag(file, at, e.getValue());
        case "nearCache" -> { } // read above, before onUnavailable is applied over it
        case "onUnavailable" -> { }
        default -> throw file.problem(at, "is not a cache setting; a cache takes " + KNOWN);
      }
    }
    if (settings.containsKey("onUnavailable")) {
      near = near.withOnUnavailable(NearCacheConfig.onUnavailable(file, path + ".onUnavailable",
          settings.get("onUnavailable")));
    }
    return new CacheSettings(expiry, statistics, management, near, clearAfterOutage);
  }

  /** This cache's near cache settings: its own, or else every cache's. */
  NearCacheConfig nearCache(NearCacheConfig defaults) {
    return near != null ? near : defaults;
  }

  private static Factory<ExpiryPolicy> expiry(ConfigFile file, String path, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw file.problem(path, "must be a mapping such as { policy: modified, duration: 10m }");
    }
    for (Object key : map.keySet()) {
      if (!"policy".equals(key) && !"duration".equals(key)) {
        throw file.problem(path + "." + key, "is not an expiry setting; expiry takes policy and duration");
      }
    }
    Object policy = map.get("policy");
    if (!(policy instanceof String p)) {
      throw file.problem(path, "needs a policy: created, accessed, modified, touched or eternal");
    }
    String kind = p.strip().toLowerCase(Locale.ROOT);
    if (kind.equals("eternal")) {
      if (map.containsKey("duration")) {
        throw file.problem(path + ".duration", "an eternal policy takes no duration");
      }
      return EternalExpiryPolicy.factoryOf();
    }
    if (!map.containsKey("duration")) {
      throw file.problem(path, "needs a duration for the " + kind + " policy, such as duration: 10m");
    }
    Duration d = file.duration(path + ".duration", map.get("duration"));
    if (d.isNegative() || d.isZero()) {
      throw file.problem(path + ".duration", "must be longer than zero, not " + map.get("duration"));
    }
    javax.cache.expiry.Duration duration = new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS,
        Math.max(1, d.toMillis()));
    return switch (kind) {
      case "created" -> CreatedExpiryPolicy.factoryOf(duration);
      case "accessed" -> AccessedExpiryPolicy.factoryOf(duration);
      case "modified" -> ModifiedExpiryPolicy.factoryOf(duration);
      case "touched" -> TouchedExpiryPolicy.factoryOf(duration);
      default -> throw file.problem(path + ".policy", "must be created, accessed, modified, touched or eternal,"
          + " not " + p);
    };
  }

  private static boolean flag(ConfigFile file, String path, Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    throw file.problem(path, "must be true or false, not " + value);
  }

  /** Applies what these settings set to a configuration a program handed to {@code createCache}. */
  <K, V> MutableConfiguration<K, V> applyTo(MutableConfiguration<K, V> c) {
    if (expiry != null) {
      c.setExpiryPolicyFactory(expiry);
    }
    if (statistics != null) {
      c.setStatisticsEnabled(statistics);
    }
    if (management != null) {
      c.setManagementEnabled(management);
    }
    return c;
  }
}
