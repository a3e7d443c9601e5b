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
import org.redisson.client.RedisBusyException;
import org.redisson.client.RedisClusterDownException;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisLoadingException;
import org.redisson.client.RedisMasterDownException;
import org.redisson.client.RedisNoReplicasException;
import org.redisson.client.RedisNodeNotFoundException;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisReconnectedException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.RedisTryAgainException;
import org.redisson.client.RedisWaitException;
import org.redisson.client.RedisWrongPasswordException;

/**
 * Sorts what a Redis call threw into what it means for availability: failover signals, which the failure
 * counter counts; signals that the client talks to the wrong node, which replace it; overload, which is
 * neither; and the rest, which are the caller's business.
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
    APPLICATION(false, false, false),
    /** The credentials were refused: configuration, never a failover. Not counted, no rebuild. */
    AUTHENTICATION(false, false, false),
    /** The ACL user may not run the command or touch the key (NOPERM): configuration, never a failover. */
    PERMISSION(false, false, false),
    /**
     * The client or the server could not take the call now, for a reason a new client would not fix: the
     * pool had no free connection or the command could not be written in time (a burst), BUSY (a long
     * script), a WAIT that replicas did not satisfy. Not counted, no rebuild, no retry.
     */
    OVERLOAD(false, false, false),
    /** Connection refused, reset or closed; a name that does not resolve. */
    CONNECTION(true, false, false),
    /** No answer in time: a frozen node, a blackholed connection. */
    TIMEOUT(true, false, false),
    /**
     * LOADING, MASTERDOWN, CLUSTERDOWN, TRYAGAIN, NOREPLICAS, a slot whose node is not known yet: the
     * topology is changing. Redis refused the command before running it.
     */
    TOPOLOGY(true, false, true),
    /**
     * A write reached a replica: this client talks to a demoted primary. Not counted (the node still
     * answers reads), but the client is replaced at once. Redis refused the command before running it.
     */
    READONLY(false, true, true),
    /** The client was shut down under the call. Replaced at once if it is the current one. */
    SHUTDOWN(false, true, false);

    private final boolean counted;
    private final boolean replacesClient;
    private final boolean refusedBeforeRunning;

    Kind(boolean counted, boolean replacesClient, boolean refusedBeforeRunning) {
      this.counted = counted;
      this.replacesClient = replacesClient;
      this.refusedBeforeRunning = refusedBeforeRunning;
    }

    /** The config is wrong (credentials, permissions): never a failover, and retrying will not help soon. */
    boolean isConfiguration() {
      return this == AUTHENTICATION || this == PERMISSION;
    }

    /** Counted by the failure counter: Redis may be gone. */
    boolean isCounted() {
      return counted;
    }

    /** Enough on its own to replace a single-server client (it talks to the wrong node). */
    boolean replacesClient() {
      return replacesClient;
    }

    /** A failover signal of any sort: counted, or a reason to replace the client. */
    boolean isFailoverSignal() {
      return counted || replacesClient;
    }

    /**
     * Redis answered that it did not run the command: sending it again cannot apply it twice, so even a
     * non-idempotent call may be retried.
     */
    boolean refusedBeforeRunning() {
      return refusedBeforeRunning;
    }
  }

  private static final int MAX_DEPTH = 16;

  private FailureClassifier() {}

  static Kind classify(Throwable t) {
    Kind found = Kind.APPLICATION;
    Throwable cur = t;
    for (int depth = 0; cur != null && depth < MAX_DEPTH; depth++, cur = cur.getCause()) {
      Kind k = classifyOne(cur);
      if (k.isConfiguration() || k.replacesClient()) {
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
    if (message.startsWith("NOPERM") || message.contains("-NOPERM")) {
      return Kind.PERMISSION;
    }
    if (t instanceof RedisReadonlyException || message.startsWith("READONLY") || message.contains("-READONLY")) {
      return Kind.READONLY;
    }
    if (t instanceof RedissonShutdownException || message.contains("RedisClient is shutdown")) {
      return Kind.SHUTDOWN;
    }
    // Redisson reports a full pool and an unwritable channel as timeouts of its own: both are the
    // client's burst, not the server's absence (a dead or frozen node shows up as response timeouts).
    if (t instanceof RedisBusyException || t instanceof RedisWaitException || message.startsWith("BUSY ")
        || (t instanceof RedisTimeoutException && (message.startsWith("Unable to acquire connection")
            || message.startsWith("Command still hasn't been written")))) {
      return Kind.OVERLOAD;
    }
    if (t instanceof RedisTimeoutException || t instanceof TimeoutException
        || t instanceof java.net.SocketTimeoutException) {
      return Kind.TIMEOUT;
    }
    if (t instanceof RedisLoadingException || t instanceof RedisMasterDownException
        || t instanceof RedisClusterDownException || t instanceof RedisTryAgainException
        || t instanceof RedisNoReplicasException || t instanceof RedisNodeNotFoundException
        || message.startsWith("LOADING") || message.startsWith("MASTERDOWN") || message.startsWith("CLUSTERDOWN")
        || message.startsWith("NOREPLICAS") || message.contains("-NOREPLICAS")) {
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
    if (message.startsWith("Connection to ") && message.endsWith("is not active!")) {
      return Kind.CONNECTION; // a pooled connection found closed when taken
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
