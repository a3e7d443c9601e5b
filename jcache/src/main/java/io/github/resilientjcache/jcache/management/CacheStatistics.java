package io.github.resilientjcache.jcache.management;

import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * One cache's statistics in this JVM, counted as the JCache spec's table says (a put counts whether it
 * creates or updates, a load is no put, containsKey is no get). Counters are striped, so counting costs a
 * contended cache nothing it would notice; the counts are this JVM's calls, not the whole cluster's.
 */
public final class CacheStatistics implements CacheStatisticsMXBean {

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder removals = new LongAdder();
  private final LongAdder getNanos = new LongAdder();
  private final LongAdder putNanos = new LongAdder();
  private final LongAdder removeNanos = new LongAdder();

  public void hits(long n) {
    hits.add(n);
  }

  public void misses(long n) {
    misses.add(n);
  }

  public void puts(long n) {
    puts.add(n);
  }

  public void removals(long n) {
    removals.add(n);
  }

  public void getTime(long nanos) {
    getNanos.add(nanos);
  }

  public void putTime(long nanos) {
    putNanos.add(nanos);
  }

  public void removeTime(long nanos) {
    removeNanos.add(nanos);
  }

  @Override
  public void clear() {
    for (LongAdder a : new LongAdder[] {hits, misses, puts, removals, getNanos, putNanos, removeNanos}) {
      a.reset();
    }
  }

  @Override
  public long getCacheHits() {
    return hits.sum();
  }

  @Override
  public float getCacheHitPercentage() {
    return percentage(getCacheHits(), getCacheGets());
  }

  @Override
  public long getCacheMisses() {
    return misses.sum();
  }

  @Override
  public float getCacheMissPercentage() {
    return percentage(getCacheMisses(), getCacheGets());
  }

  @Override
  public long getCacheGets() {
    return hits.sum() + misses.sum();
  }

  @Override
  public long getCachePuts() {
    return puts.sum();
  }

  @Override
  public long getCacheRemovals() {
    return removals.sum();
  }

  /** Always 0: Redis evicts (maxmemory) without telling anyone; expiry is not eviction. */
  @Override
  public long getCacheEvictions() {
    return 0;
  }

  @Override
  public float getAverageGetTime() {
    return micros(getNanos.sum(), getCacheGets());
  }

  @Override
  public float getAveragePutTime() {
    return micros(putNanos.sum(), getCachePuts());
  }

  @Override
  public float getAverageRemoveTime() {
    return micros(removeNanos.sum(), getCacheRemovals());
  }

  private static float percentage(long part, long whole) {
    return whole == 0 ? 0f : part * 100f / whole;
  }

  private static float micros(long nanos, long count) {
    return count == 0 ? 0f : nanos / 1000f / count;
  }

  @Override
  public String toString() {
    return "CacheStatistics[gets=" + getCacheGets() + ", hits=" + getCacheHits() + ", puts=" + getCachePuts()
        + ", removals=" + getCacheRemovals() + "]";
  }
}
