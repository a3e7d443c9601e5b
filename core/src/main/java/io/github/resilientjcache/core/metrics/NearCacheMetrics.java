package io.github.resilientjcache.core.metrics;

import io.github.resilientjcache.core.near.Journal;
import io.github.resilientjcache.core.near.NearCache;
import io.github.resilientjcache.core.near.NearCacheStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Publishes one cache's near cache and journal to Micrometer, tagged {@code cache} (plus any extra tags):
 *
 * <ul>
 *   <li>{@code resilientjcache.nearcache.gets} function counter, tag {@code result} = {@code hit} |
 *       {@code stale} (answered while invalidations may be missed) | {@code miss};
 *   <li>{@code resilientjcache.nearcache.invalidations} function counter, tag {@code outcome} =
 *       {@code received} | {@code applied} (dropped an older entry);
 *   <li>{@code resilientjcache.nearcache.reconciliations} and {@code resilientjcache.nearcache.reconciliation.drops}
 *       function counters, tag {@code kind} = {@code partial} (versions compared, only what changed dropped) |
 *       {@code full} (everything dropped: what was missed could not be known);
 *   <li>{@code resilientjcache.nearcache.fills.refused} function counter: values read (or written) and not kept,
 *       because a change to the key crossed the call;
 *   <li>{@code resilientjcache.nearcache.size} gauge: entries held;
 *   <li>{@code resilientjcache.journal.size} gauge: keys whose failed write is owed to Redis (-1 while it
 *       overflowed: the whole cache is owed), and {@code resilientjcache.journal.replays} function counter.
 * </ul>
 *
 * <p>The near cache meters are left out for a cache without one. Every meter reads counters the cache keeps
 * anyway; {@link #close()} removes them.
 */
public final class NearCacheMetrics implements AutoCloseable {

  private static final String PREFIX = "resilientjcache.";

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

  private NearCacheMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers the meters of cache {@code cacheName}: its near cache's, when it has one ({@code near}), and
   * its journal's.
   */
  public static NearCacheMetrics bindTo(String cacheName, @Nullable NearCache<?> near, Journal<?> journal,
      MeterRegistry registry, Iterable<Tag> extraTags) {
    Objects.requireNonNull(cacheName, "cacheName");
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(registry, "registry");
    Tags tags = Tags.of(extraTags).and("cache", cacheName);
    NearCacheMetrics m = new NearCacheMetrics(registry);
    if (near != null) {
      NearCacheStatistics s = near.statistics();
      m.counter("nearcache.gets", "Reads the near cache was asked", s, tags.and("result", "hit"),
          NearCacheStatistics::hits);
      m.counter("nearcache.gets", "Reads the near cache was asked", s, tags.and("result", "stale"),
          NearCacheStatistics::staleHits);
      m.counter("nearcache.gets", "Reads the near cache was asked", s, tags.and("result", "miss"),
          NearCacheStatistics::misses);
      m.counter("nearcache.invalidations", "Other JVMs' changes to the cache", s, tags.and("outcome", "received"),
          NearCacheStatistics::invalidationsReceived);
      m.counter("nearcache.invalidations", "Other JVMs' changes to the cache", s, tags.and("outcome", "applied"),
          NearCacheStatistics::invalidationsApplied);
      m.counter("nearcache.reconciliations", "Repairs after invalidations may have been missed", s,
          tags.and("kind", "partial"), NearCacheStatistics::partialReconciliations);
      m.counter("nearcache.reconciliations", "Repairs after invalidations may have been missed", s,
          tags.and("kind", "full"), NearCacheStatistics::fullReconciliations);
      m.counter("nearcache.reconciliation.drops", "Entries dropped by repairs", s, tags.and("kind", "partial"),
          NearCacheStatistics::partialDrops);
      m.counter("nearcache.reconciliation.drops", "Entries dropped by repairs", s, tags.and("kind", "full"),
          NearCacheStatistics::fullDrops);
      m.counter("nearcache.fills.refused", "Values read or written and not kept: a change crossed the call", s, tags,
          NearCacheStatistics::fillsRefused);
      m.meters.add(Gauge.builder(PREFIX + "nearcache.size", near, NearCache::size)
          .description("Entries the near cache holds").tags(tags).register(registry));
    }
    m.meters.add(Gauge.builder(PREFIX + "journal.size", journal, j -> j.overflowed() ? -1 : j.size())
        .description("Keys whose failed write or remove is owed to Redis; -1: the whole cache is")
        .tags(tags).register(registry));
    m.counter("journal.replays", "Owed keys removed from Redis after recovery", journal, tags, Journal::replays);
    return m;
  }

  private <T> void counter(String name, String description, T source, Tags tags, ToDoubleFunction<T> count) {
    meters.add(FunctionCounter.builder(PREFIX + name, source, count).description(description).tags(tags)
        .register(registry));
  }

  /** Removes this binding's meters from the registry; idempotent. */
  @Override
  public void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }
}
