package io.github.resilientjcache.drill;

import org.jspecify.annotations.Nullable;

/** One client under the drill's load: a {@code javax.cache.Cache<String, Long>} and what it tells of itself. */
interface DrillClient extends AutoCloseable {

  String name();

  @Nullable Long get(String key);

  void put(String key, long value);

  /** The client's generation: 1, plus one per client it made anew. */
  long generation();

  /** What the client is doing, in a word or two. */
  String state();

  /** Clients it made anew after a failure. */
  long rebuilds();

  /** Whether the client has a near cache. */
  default boolean hasNearCache() {
    return false;
  }

  /** Whether the client's near cache would answer a read of {@code key} now; null when it has none. */
  default @Nullable Boolean nearAnswers(String key) {
    return null;
  }

  /**
   * Whether the client's near cache is in sync with Redis now (always, without one). Out of sync, it serves what
   * it holds as stale reads, by design; a read older than a known write is judged only in sync.
   */
  default boolean inSync() {
    return true;
  }

  /** Reads answered from memory while Redis could not be reached. */
  long staleReadsServed();

  /** Closes within a few seconds, whatever state Redis is in. */
  @Override
  void close();
}
