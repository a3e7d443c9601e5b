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
}
