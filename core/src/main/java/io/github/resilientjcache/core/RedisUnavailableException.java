package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;

/**
 * Redis cannot serve the call now: the node is unreachable, frozen or demoted, or the supervisor is
 * recovering and fails calls fast. Reads can be answered from a near cache; writes should be given up or
 * tried later.
 */
public class RedisUnavailableException extends ResilientRedisException {
  private static final long serialVersionUID = 1L;

  private final long generation;
  private final boolean failedFast;

  public RedisUnavailableException(String message, @Nullable Throwable cause, long generation, boolean failedFast) {
    super(message, cause);
    this.generation = generation;
    this.failedFast = failedFast;
  }

  /**
   * A call refused without reaching Redis. It has no stack trace: during an outage every call fails this
   * way, thousands a second, and the message names the endpoint, the generation and the cause.
   */
  public static RedisUnavailableException failFast(String message, long generation) {
    return new RedisUnavailableException(message, generation);
  }

  private RedisUnavailableException(String message, long generation) {
    super(message, null, false);
    this.generation = generation;
    this.failedFast = true;
  }

  /** The client generation the call was meant for. */
  public long generation() {
    return generation;
  }

  /** True when the call was refused without reaching Redis, because the failure counter was open. */
  public boolean failedFast() {
    return failedFast;
  }
}
