package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.Attachment;
import io.github.resilientjcache.core.RedisSession;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.InvocationOptions;

/**
 * One attempt of a {@link Call} on one generation: the session its operation sees, and the entry the
 * generation keeps while it is in flight. Exactly one party ends it: its own completion, the supervisor
 * replacing its generation, a lost connection, or its deadline. Whoever {@link #claim()}s it first.
 */
final class Attempt<T> implements RedisSession, BiConsumer<T, Throwable> {

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Attempt.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Call<T> call;
  final Generation generation;
  final long startedNanos;
  @SuppressWarnings("unused") // through STATE
  private volatile int state;
  /**
   * Where the generation's in-flight registry holds this attempt; written by {@link InFlight#add} before
   * the slot is published, so whoever finds the attempt there also finds its slot.
   */
  volatile int slot = -1;
  /** The operation took its options from this session: Redisson will never resend its commands. */
  private volatile boolean redissonRetriesOff;

  Attempt(Call<T> call, Generation generation, long startedNanos) {
    this.call = call;
    this.generation = generation;
    this.startedNanos = startedNanos;
  }

  /** True for the one caller that ends this attempt; false for everyone after. */
  boolean claim() {
    return STATE.compareAndSet(this, 0, 1);
  }

  /** The operation's stage completed. */
  @Override
  public void accept(@Nullable T value, @Nullable Throwable error) {
    if (claim()) {
      call.attemptEnded(this, value, error);
    }
  }

  @Override
  public RedissonClient client() {
    return generation.client;
  }

  @Override
  public long generation() {
    return generation.number;
  }

  /** Whether only the supervisor, never Redisson, can send this attempt's commands again. */
  boolean redissonRetriesOff() {
    return redissonRetriesOff;
  }

  @Override
  public <O extends InvocationOptions<O>> O options(O options) {
    redissonRetriesOff = true;
    long left = TimeUnit.NANOSECONDS.toMillis(call.deadlineNanos - System.nanoTime());
    return options.timeout(Duration.ofMillis(Math.max(1, left))).retryAttempts(0);
  }

  @Override
  public <R> @Nullable R resource(Attachment<R> attachment) {
    return attachment instanceof AttachmentImpl<R> a ? generation.resource(a) : null;
  }

  @Override
  public String toString() {
    return "attempt of " + call + " on " + generation;
  }
}
