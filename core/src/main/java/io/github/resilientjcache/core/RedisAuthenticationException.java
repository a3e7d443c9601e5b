package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;

/**
 * Redis refused the credentials (wrong password, unknown user, password required). A configuration
 * error, not a failover: the supervisor does not rebuild for it.
 */
public class RedisAuthenticationException extends ResilientRedisException {
  private static final long serialVersionUID = 1L;

  public RedisAuthenticationException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * For refusing calls once the credentials or permissions were found wrong: every call fails this way, and
   * the message says why.
   */
  public static RedisAuthenticationException withoutStackTrace(String message, @Nullable Throwable cause) {
    return new RedisAuthenticationException(message, cause, false);
  }

  private RedisAuthenticationException(String message, @Nullable Throwable cause, boolean writableStackTrace) {
    super(message, cause, writableStackTrace);
  }
}
