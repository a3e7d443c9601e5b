package io.github.resilientjcache.testkit;

/** A server that did not start; the message carries the tail of its log, so CI shows why. */
public final class RedisStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RedisStartException(String message, String log) {
    super(message + "\n---- server log (tail) ----\n" + ServerLogs.tail(log, 60));
  }
}
