package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;

/**
 * Redis or the client could not take the call now for a reason a new client would not fix: the
 * connection pool was exhausted or the command could not be written in time (a burst on the client's
 * side), the server was busy running a script ({@code BUSY}), or replicas did not confirm a write in
 * time. Not a failover: it is not counted, nothing is rebuilt, and the call is not retried (a retry
 * would only deepen the burst).
 */
public class RedisOverloadedException extends RedisUnavailableException {
  private static final long serialVersionUID = 1L;

  public RedisOverloadedException(String message, @Nullable Throwable cause, long generation) {
    super(message, cause, generation, false);
  }
}
