package io.github.resilientjcache.core.near;

import java.util.concurrent.atomic.LongAdder;

/** What a near cache did, counted since it was made; read by the jcache statistics and the meters. */
public final class NearCacheStatistics {

  final LongAdder hits = new LongAdder();
  final LongAdder staleHits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder invalidationsReceived = new LongAdder();
  final LongAdder invalidationsApplied = new LongAdder();
  final LongAdder partialReconciliations = new LongAdder();
  final LongAdder partialDrops = new LongAdder();
  final LongAdder fullReconciliations = new LongAdder();
  final LongAdder fullDrops = new LongAdder();
  final LongAdder fillsRefused = new LongAdder();

  NearCacheStatistics() {}

  /** Reads answered here while invalidations arrive. */
  public long hits() {
    return hits.sum();
  }

  /** Reads answered here while invalidations may have been missed, within the staleness bound. */
  public long staleHits() {
    return staleHits.sum();
  }

  /** Reads this tier could not answer (absent, or beyond the staleness bound). */
  public long misses() {
    return misses.sum();
  }

  /** Other JVMs' changes received for this cache. */
  public long invalidationsReceived() {
    return invalidationsReceived.sum();
  }

  /** Received changes that dropped an entry held here (older than the change). */
  public long invalidationsApplied() {
    return invalidationsApplied.sum();
  }

  /** Reconciliations that compared versions with Redis and dropped only what changed. */
  public long partialReconciliations() {
    return partialReconciliations.sum();
  }

  /** Entries dropped by partial reconciliations, because Redis holds another version (or none). */
  public long partialDrops() {
    return partialDrops.sum();
  }

  /** Times every entry was dropped, because what was missed could not be known. */
  public long fullReconciliations() {
    return fullReconciliations.sum();
  }

  /** Entries dropped by full reconciliations. */
  public long fullDrops() {
    return fullDrops.sum();
  }

  /** Values read from Redis and not kept, because a change to the key may have crossed the read. */
  public long fillsRefused() {
    return fillsRefused.sum();
  }

  @Override
  public String toString() {
    return "NearCacheStatistics[hits=" + hits() + ", staleHits=" + staleHits() + ", misses=" + misses()
        + ", invalidationsReceived=" + invalidationsReceived() + ", invalidationsApplied=" + invalidationsApplied()
        + ", partialReconciliations=" + partialReconciliations() + ", partialDrops=" + partialDrops()
        + ", fullReconciliations=" + fullReconciliations() + ", fullDrops=" + fullDrops() + ", fillsRefused="
        + fillsRefused() + "]";
  }
}
