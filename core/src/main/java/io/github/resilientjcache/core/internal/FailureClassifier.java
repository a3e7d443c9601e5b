package io.github.resilientjcache.core.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.redisson.RedissonShutdownException;
import org.redisson.client.RedisAuthRequiredException;
import org.redisson.client.RedisClusterDownException;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisLoadingException;
import org.redisson.client.RedisMasterDownException;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisReconnectedException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.RedisTryAgainException;
import org.redisson.client.RedisWrongPasswordException;

/**
 * Sorts what a Redis call threw into failover signals, which the failure counter counts, and the rest,
 * which are the caller's business.
 *
 * <p>It walks the whole cause chain: Redisson reports a refused connection as a plain {@code
 * RedisException("Unexpected exception while processing command")} around a {@code ConnectException},
 * and a Lua script that writes on a replica as {@code ERR Error running script ... -READONLY ...} on
 * Redis 6 (Redis 7 keeps the {@code READONLY} prefix, which Redisson maps to {@link
 * RedisReadonlyException}).
 */
final class FailureClassifier {

  /** What an exception means for the supervisor. */
  enum Kind {
    /** Not Redis' availability: WRONGTYPE, a codec error, a script bug, OOM. Not counted. */
    APPLICATION(false, false),
    /** The credentials were refused: configuration, never a failover. Not counted, no rebuild. */
    AUTHENTICATION(false, false),
    /** Connection refused, reset or closed; a name that does not resolve. */
    CONNECTION(true, false),
    /** No answer in time: a frozen node, a blackholed connection. */
    TIMEOUT(true, false),
    /** LOADING, MASTERDOWN, CLUSTERDOWN, TRYAGAIN: the topology is changing. */
    TOPOLOGY(true, false),
    /** A write reached a replica: this client talks to a demoted primary. Rebuild at once. */
    READONLY(true, true),
    /** The client was shut down under the call. Rebuild at once if it is the current one. */
    SHUTDOWN(true, true);

    private final boolean failoverSignal;
    private final boolean strong;

    Kind(boolean failoverSignal, boolean strong) {
      this.failoverSignal = failoverSignal;
      this.strong = strong;
    }

    /** Counted by the failure counter, and retried for idempotent calls. */
    boolean isFailoverSignal() {
      return failoverSignal;
    }

    /** Enough on its own to rebuild a single-server client. */
    boolean isStrong() {
      return strong;
    }
  }

  private static final int MAX_DEPTH = 16;

  private FailureClassifier() {}

  static Kind classify(Throwable t) {
    Kind found = Kind.APPLICATION;
    Throwable cur = t;
    for (int depth = 0; cur != null && depth < MAX_DEPTH; depth++, cur = cur.getCause()) {
      Kind k = classifyOne(cur);
      if (k == Kind.AUTHENTICATION || k.isStrong()) {
        return k;
      }
      if (found == Kind.APPLICATION) {
        found = k;
      }
      if (cur.getCause() == cur) {
        break;
      }
    }
    return found;
  }

  static boolean isFailoverSignal(Throwable t) {
    return classify(t).isFailoverSignal();
  }

  /** The exception itself, without the wrappers futures add. */
  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  private static Kind classifyOne(Throwable t) {
    if (t instanceof RedisWrongPasswordException || t instanceof RedisAuthRequiredException) {
      return Kind.AUTHENTICATION;
    }
    String message = message(t);
    if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("-NOAUTH")
        || message.contains("-WRONGPASS")) {
      return Kind.AUTHENTICATION;
    }
    if (t instanceof RedisReadonlyException || message.startsWith("READONLY") || message.contains("-READONLY")) {
      return Kind.READONLY;
    }
    if (t instanceof RedissonShutdownException || message.contains("RedisClient is shutdown")) {
      return Kind.SHUTDOWN;
    }
    if (t instanceof RedisTimeoutException || t instanceof TimeoutException
        || t instanceof java.net.SocketTimeoutException) {
      return Kind.TIMEOUT;
    }
    if (t instanceof RedisLoadingException || t instanceof RedisMasterDownException
        || t instanceof RedisClusterDownException || t instanceof RedisTryAgainException
        || message.startsWith("LOADING") || message.startsWith("MASTERDOWN") || message.startsWith("CLUSTERDOWN")) {
      return Kind.TOPOLOGY;
    }
    if (t instanceof RedisConnectionException || t instanceof RedisReconnectedException
        || t instanceof ConnectException || t instanceof NoRouteToHostException
        || t instanceof ClosedChannelException || t instanceof UnknownHostException
        || t instanceof SocketException) {
      return Kind.CONNECTION;
    }
    if (t instanceof IOException && isConnectionLoss(message)) {
      return Kind.CONNECTION;
    }
    return Kind.APPLICATION;
  }

  private static boolean isConnectionLoss(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("connection reset") || m.contains("broken pipe") || m.contains("connection refused");
  }

  private static String message(@Nullable Throwable t) {
    String m = t == null ? null : t.getMessage();
    return m == null ? "" : m;
  }
}
