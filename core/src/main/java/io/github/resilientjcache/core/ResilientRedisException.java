package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;

/** The base of what the supervisor throws; messages name the endpoint and never a password. */
public class ResilientRedisException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ResilientRedisException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** For exceptions thrown at a high rate (failing fast), where a stack trace costs more than it tells. */
  protected ResilientRedisException(String message, @Nullable Throwable cause, boolean writableStackTrace) {
    super(message, cause, false, writableStackTrace);
  }
}
