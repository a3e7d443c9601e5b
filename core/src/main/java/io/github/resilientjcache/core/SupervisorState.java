package io.github.resilientjcache.core;

/** Whether calls reach Redis now. The near cache answers reads while the state is {@link #UNAVAILABLE}. */
public enum SupervisorState {
  /** The current client is verified and its failure counter is closed: calls go to Redis. */
  AVAILABLE,
  /** The failure counter is open: calls fail fast while the supervisor recovers. */
  UNAVAILABLE,
  /** The supervisor was closed; every call fails. */
  CLOSED
}
