package io.github.resilientjcache.core;

import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.InvocationOptions;

/**
 * What one attempt of a {@link RedisOperation} runs on: one client generation, for the whole attempt.
 * Everything an operation chains onto its first command stays on this generation, so a read followed by
 * a compare-and-set never straddles a rebuild.
 */
public interface RedisSession {

  /** The generation's client. Use it within this attempt only: a rebuild replaces it. */
  RedissonClient client();

  /** The generation this attempt runs on: 1 for the first client, +1 per rebuild. */
  long generation();

  /**
   * {@code options} set for a command of this call: the time the call has left as its timeout, and
   * Redisson's own retries off, so Redisson never sends the command twice (it resends EVAL, EVALSHA and
   * GETSET after a response timeout when {@code retryAttempts} is above 0) and the call never outlives
   * its deadline. Required for {@link Idempotence#NON_IDEMPOTENT} commands, and what every command should
   * use: the supervisor retries within the deadline itself.
   *
   * <pre>{@code
   * s.client().getScript(s.options(OptionalOptions.defaults().codec(StringCodec.INSTANCE)))
   * }</pre>
   */
  <O extends InvocationOptions<O>> O options(O options);

  /**
   * What {@code attachment} opened on this generation's client, or null if it is not open here (it
   * was attached after this generation started and is still opening, or opening failed).
   */
  <R> @Nullable R resource(Attachment<R> attachment);
}
