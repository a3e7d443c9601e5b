package io.github.resilientjcache.core;

/**
 * Whether a call may be sent again after a failover signal. A retried call may run twice on the server,
 * so only calls whose second run changes nothing are {@link #IDEMPOTENT}.
 */
public enum Idempotence {
  /**
   * Safe to repeat: reads, {@code PING}, {@code SET} of a fixed value, {@code DEL}, {@code EXPIRE} to a
   * fixed time. Retried with jittered backoff on failover signals.
   */
  IDEMPOTENT,
  /**
   * Not safe to repeat: {@code INCR}, list pushes, conditional writes whose outcome the caller acts on
   * ({@code SET NX}, compare-and-set scripts). Never retried; a failover signal reaches the caller.
   */
  NON_IDEMPOTENT
}
