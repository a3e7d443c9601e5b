package io.github.resilientjcache.core.near;

/** What a cache does with a call Redis cannot answer now (and its near cache cannot either). */
public enum OnUnavailable {
  /** The call throws a clear exception naming the cache and why. */
  FAIL,
  /**
   * A read is a miss (null); a write returns normally and counts as a removal of its key, journalled and
   * replayed on Redis after recovery. For Hibernate and Spring, which fail a transaction or a request on any
   * cache exception.
   */
  MISS
}
