package io.github.resilientjcache.core;

/**
 * Whether a call may be sent again, and when. A copy of a command can arrive after the original was given
 * up for lost (queued on a slow node, resent by Redisson after a timeout): for a write that is a lost
 * update, since it lands after writes made meanwhile. So only reads are ever duplicated while the first
 * copy may still run; writes are repeated only once the first copy is known to have ended.
 */
public enum Idempotence {
  /**
   * Changes nothing ({@code GET}, a read-only script): sent again whenever that helps, at once on a lost
   * connection and on the new client when the old one is replaced, even if the first copy might still
   * run.
   */
  READ,
  /**
   * Safe to repeat once the first copy has ended ({@code SET} of a fixed value, {@code DEL}, {@code EXPIRE}
   * to a fixed time): retried after Redisson reported its failure. Resent in flight only when a connection
   * was lost around the time it was sent and it is still unanswered 100 ms after, if it took its options
   * from the session (then it was on the dead connection, and Redisson will not resend it itself); when its
   * client is replaced it fails (the old node may still run it).
   */
  IDEMPOTENT,
  /**
   * Not safe to repeat: {@code INCR}, list pushes, conditional writes whose outcome the caller acts on
   * ({@code SET NX}, compare-and-set scripts). Sent again only when Redis refused it before running it
   * ({@code READONLY}, {@code LOADING}, {@code TRYAGAIN}); otherwise a failover signal reaches the caller.
   */
  NON_IDEMPOTENT
}
