package io.github.resilientjcache.drill;

import org.jspecify.annotations.Nullable;

/** What a read that returned a value tells, against the writes acknowledged before it. */
enum Verdict {
  /** Not older than any write acknowledged in time for the read. */
  FRESH,
  /** Older than a write acknowledged in time, outside the failover's window: the client served it stale. */
  STALE,
  /**
   * Older than a write acknowledged in time, but only than writes acknowledged in the failover's window: Redis
   * itself may have dropped those (asynchronous replication, a demoted primary's resync).
   */
  LOST;

  /** A write the writer saw acknowledged: its version, when (nanoTime), and the one acknowledged before it. */
  record Ack(long version, long at, @Nullable Ack previous) {

    /** The next acknowledged write: this one becomes its previous (one level kept, no chain). */
    Ack then(long nextVersion, long nextAt) {
      return new Ack(nextVersion, nextAt, new Ack(version, at, null));
    }
  }

  /**
   * Judges a read of {@code read} that began at {@code readStart}, against the writes acknowledged at least
   * {@code lagNanos} before it (0 for the reader's own writes, the time an invalidation may take to cross for
   * another instance's), with the failover's window {@code [windowFrom, windowTo]}.
   */
  static Verdict of(long read, @Nullable Ack latest, long readStart, long lagNanos, long windowFrom, long windowTo) {
    Ack required = latest;
    while (required != null && readStart - required.at() < lagNanos) {
      required = required.previous();
    }
    if (required == null || read >= required.version()) {
      return FRESH;
    }
    for (Ack a = required; a != null && read < a.version(); a = a.previous()) {
      if (a.at() < windowFrom || a.at() > windowTo) {
        return STALE;
      }
    }
    return LOST;
  }
}
