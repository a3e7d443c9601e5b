package io.github.resilientjcache.core;

import java.util.concurrent.CompletionStage;

/**
 * One Redis call, written against the {@link RedisSession} it is given: start the commands with the
 * session's client and return their stage. It must not block; it may run more than once (a retry of an
 * idempotent call, on the same or a newer generation), each time with a new session.
 *
 * <pre>{@code
 * String v = redis.execute(Idempotence.READ, s -> s.client().<String>getBucket("k").getAsync());
 * }</pre>
 *
 * @param <T> what the call completes with
 */
@FunctionalInterface
public interface RedisOperation<T> {

  /** Starts the call on {@code session}'s client; never blocks. */
  CompletionStage<T> apply(RedisSession session);
}
