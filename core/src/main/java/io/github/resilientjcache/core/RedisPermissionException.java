package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;

/**
 * The Redis user may not run a command or touch a key ({@code NOPERM}): an ACL configuration error,
 * never a failover. docs/failover.md lists what the supervisor needs.
 */
public class RedisPermissionException extends ResilientRedisException {
  private static final long serialVersionUID = 1L;

  public RedisPermissionException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * For refusing calls once the credentials or permissions were found wrong: every call fails this way, and
   * the message says why.
   */
  public static RedisPermissionException withoutStackTrace(String message, @Nullable Throwable cause) {
    return new RedisPermissionException(message, cause, false);
  }

  private RedisPermissionException(String message, @Nullable Throwable cause, boolean writableStackTrace) {
    super(message, cause, writableStackTrace);
  }
}
