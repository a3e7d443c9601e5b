package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.RedisAuthenticationException;
import io.github.resilientjcache.core.RedisPermissionException;
import io.github.resilientjcache.core.RedisUnavailableException;
import java.net.InetSocketAddress;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What calls see of the supervisor, in one volatile read: the generation to run on, why calls are refused
 * (null: they are not), and on Cluster the shards whose keys are refused, each with its message. Only the
 * supervisor thread makes new ones.
 */
record Live(@Nullable Generation generation, @Nullable Rejection rejection,
    Map<InetSocketAddress, String> openShards) {

  static Live rejecting(@Nullable Generation g, Rejection r) {
    return new Live(g, r, Map.of());
  }

  /** Why calls are refused without reaching Redis; the message is made once, not per call. */
  static class Rejection {
    final String message;
    final long generation;

    Rejection(String message, long generation) {
      this.message = message;
      this.generation = generation;
    }

    static Rejection unavailable(String message, long generation) {
      return new Rejection(message, generation);
    }

    RuntimeException exception() {
      return RedisUnavailableException.failFast(message, generation);
    }

    /** Refused for good: the credentials or the permissions are wrong. */
    static final class Terminal extends Rejection {
      private final RuntimeException error;

      Terminal(RuntimeException error) {
        super(String.valueOf(error.getMessage()), 0);
        this.error = error;
      }

      @Override
      RuntimeException exception() {
        return error instanceof RedisPermissionException
            ? RedisPermissionException.withoutStackTrace(message, error.getCause())
            : RedisAuthenticationException.withoutStackTrace(message, error.getCause());
      }
    }
  }
}
