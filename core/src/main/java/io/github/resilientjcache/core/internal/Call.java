package io.github.resilientjcache.core.internal;

import io.github.resilience4j.retry.Retry;
import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisOperation;
import io.github.resilientjcache.core.RedisUnavailableException;
import io.github.resilientjcache.core.ResilientRedisException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One call through the supervisor: its deadline, its attempts (one at a time) and its result. Attempts
 * are retried while the call may be repeated (see {@link Idempotence}), the failure is a failover signal,
 * and the deadline leaves room; a call refused by a replica waits for the client that replaces it instead
 * of asking the replica again.
 */
final class Call<T> {

  private final DefaultRedisSupervisor supervisor;
  final Idempotence idempotence;
  final @Nullable String routingKey;
  private final RedisOperation<T> operation;
  final long deadlineNanos;
  /**
   * When the supervisor stops waiting for Redisson: a little after the deadline, so that Redisson's own,
   * more telling error ("Unable to acquire connection", its response timeout), due at the deadline, wins
   * over the deadline's plain one.
   */
  final long cutoffNanos;
  final CompletableFuture<T> result = new CompletableFuture<>();
  /** The attempt running now; attempts never overlap, so this is the only one that can be in flight. */
  private volatile @Nullable Attempt<T> current;
  /** Made on the first failure only: calls that succeed at once cost resilience4j nothing. */
  private Retry.@Nullable AsyncContext<T> retryContext;
  /** What the last attempt failed with, while the call waits to try again; what its deadline reports. */
  private volatile @Nullable RuntimeException lastFailure;
  /** A stalled read is sent again once, not every time the sweep finds it stalled. */
  private volatile boolean resentWhenStalled;
  /** Likewise a write taken to be on a lost connection. */
  private volatile boolean resentAfterLoss;

  Call(DefaultRedisSupervisor supervisor, Idempotence idempotence, @Nullable String routingKey,
      RedisOperation<T> operation, long startNanos) {
    this.supervisor = supervisor;
    this.idempotence = idempotence;
    this.routingKey = routingKey;
    this.operation = operation;
    this.deadlineNanos = startNanos + supervisor.callTimeoutNanos();
    this.cutoffNanos = deadlineNanos + supervisor.cutoffGraceNanos();
  }

  /** Runs one attempt on {@code g}, which admitted the call, starting now. */
  void run(Generation g) {
    run(g, System.nanoTime());
  }

  /** Runs one attempt on {@code g}, which admitted the call; {@code nowNanos} is the time it starts. */
  void run(Generation g, long nowNanos) {
    Attempt<T> a = new Attempt<>(this, g, nowNanos);
    boolean tracked = g.track(a);
    current = a; // only once tracked: whoever claims it through this field finds it in the registry
    if (!tracked || result.isDone()) {
      // Replaced between admission and now (the swap may not have seen this attempt), or the deadline
      // passed meanwhile. Nothing was sent: it may go again, whatever its idempotence.
      if (a.claim()) {
        g.untrack(a);
        if (!result.isDone()) {
          supervisor.submit(this, this::retry);
        }
      }
      return;
    }
    CompletionStage<T> stage;
    try {
      stage = operation.apply(a);
    } catch (RuntimeException e) {
      a.accept(null, e);
      return;
    }
    if (stage == null) {
      a.accept(null, new NullPointerException("the operation returned no CompletionStage"));
      return;
    }
    stage.whenComplete(a);
  }

  /** The attempt's own outcome; {@code a} is claimed. */
  void attemptEnded(Attempt<T> a, @Nullable T value, @Nullable Throwable error) {
    a.generation.untrack(a);
    if (error == null) {
      supervisor.recordSuccess(a);
      if (result.complete(value) && retryContext != null) {
        retryContext.onComplete();
      }
      return;
    }
    Throwable cause = FailureClassifier.unwrap(error);
    FailureClassifier.Kind kind = FailureClassifier.classify(cause);
    RuntimeException failure = supervisor.recordFailure(a, kind, cause);
    retryOrFail(a.generation, kind, failure);
  }

  /**
   * Whether the supervisor may take {@code a} away and send the call again while its command may still be
   * in flight: reads only. A copy of a write that lands after newer writes is a lost update, and neither
   * a replaced client nor a lost connection (Redisson reports it per address, not per connection) proves
   * the first copy will never run.
   */
  boolean resendableInFlight() {
    return idempotence == Idempotence.READ;
  }

  /** The sweep found a write unanswered after a lost connection: true the first time only. */
  boolean resendAfterLostConnection() {
    if (resentAfterLoss) {
      return false;
    }
    resentAfterLoss = true;
    return true;
  }

  /** The sweep found {@code a} with no answer for a probe timeout: true if it may be sent again now. */
  boolean resendAfterStall() {
    if (!resendableInFlight() || resentWhenStalled) {
      return false;
    }
    resentWhenStalled = true;
    return true;
  }

  /**
   * Whether {@code a}, still unanswered well after a connection of its generation was lost, is taken to be
   * on the dead connection and may go again: an idempotent write that took its options from the session
   * (so Redisson will not resend it itself). A live connection answers in well under a millisecond; a write
   * on a dead one never runs.
   */
  boolean resendableAfterLostConnection(Attempt<T> a) {
    return resendableInFlight() || (idempotence == Idempotence.IDEMPOTENT && a.redissonRetriesOff());
  }

  /**
   * The supervisor took the attempt away ({@code a} is claimed): its generation was replaced, or its
   * connection may be lost. A read goes again at once, and so does a write when {@code resendWrite} (it
   * waited long past a lost connection: see {@link #resendableAfterLostConnection}); anything else fails,
   * since it may or may not have run.
   */
  void abandoned(Attempt<T> a, String why, boolean resendWrite) {
    a.generation.untrack(a);
    if (System.nanoTime() - deadlineNanos >= 0) {
      fail(supervisor.recordFailure(a, FailureClassifier.Kind.TIMEOUT, deadlineMissed()));
      return;
    }
    if (resendableInFlight() || resendWrite) {
      supervisor.submit(this, this::retry);
      return;
    }
    fail(new RedisUnavailableException("Redis " + supervisor.endpoint() + ": " + why + " while the call was in"
        + " flight; it may or may not have been applied", null, a.generation.number, false));
  }

  private TimeoutException deadlineMissed() {
    return new TimeoutException("no answer within " + supervisor.callTimeout().toMillis() + " ms (the call's deadline)");
  }

  /** The deadline passed: the attempt in flight, if any, is given up and counted as a timeout. */
  void deadlineExceeded() {
    Attempt<T> a = current;
    if (a != null && a.claim()) {
      a.generation.untrack(a);
      fail(supervisor.recordFailure(a, FailureClassifier.Kind.TIMEOUT, deadlineMissed()));
    } else {
      RuntimeException last = lastFailure;
      fail(last != null ? last : new RedisUnavailableException("Redis " + supervisor.endpoint() + ": "
          + deadlineMissed().getMessage(), null, a == null ? 0 : a.generation.number, false));
    }
  }

  /** The caller stopped waiting (its thread was interrupted): given up, not counted against Redis. */
  private void givenUp(InterruptedException e) {
    Attempt<T> a = current;
    if (a != null && a.claim()) {
      a.generation.untrack(a);
    }
    fail(new ResilientRedisException("interrupted while waiting for Redis " + supervisor.endpoint(), e));
  }

  private void retryOrFail(Generation failedOn, FailureClassifier.Kind kind, RuntimeException failure) {
    boolean mayRepeat = idempotence != Idempotence.NON_IDEMPOTENT || kind.refusedBeforeRunning();
    if (!kind.isFailoverSignal() || !mayRepeat || result.isDone()) {
      fail(failure);
      return;
    }
    lastFailure = failure;
    if (retryContext == null) {
      retryContext = supervisor.retry().asyncContext();
    }
    long delayMillis = retryContext.onError(failure);
    if (delayMillis < 0) {
      fail(failure);
      return;
    }
    if (kind.replacesClient() && supervisor.replacesOnSignal()) {
      // This client talks to the wrong node: asking it again is pointless; the replacement is coming.
      supervisor.afterGeneration(failedOn, this, failure);
      return;
    }
    long left = deadlineNanos - System.nanoTime();
    if (TimeUnit.MILLISECONDS.toNanos(delayMillis) - left >= 0) {
      fail(failure);
      return;
    }
    supervisor.schedule(this, this::retry, delayMillis);
  }

  /** The next attempt, on whatever generation admits it now. */
  void retry() {
    if (result.isDone()) {
      return;
    }
    if (System.nanoTime() - deadlineNanos >= 0) {
      deadlineExceeded();
      return;
    }
    Generation g;
    try {
      g = supervisor.admit(routingKey);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    supervisor.countRetry();
    run(g);
  }

  void fail(RuntimeException e) {
    result.completeExceptionally(e);
  }

  /** Waits for the result until the deadline; the caller's thread. */
  T await() {
    if (result.isDone()) {
      return joinQuietly(); // answered already: no clock read
    }
    long left = cutoffNanos - System.nanoTime();
    try {
      return result.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      deadlineExceeded();
      return joinQuietly();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      givenUp(e);
      return joinQuietly();
    }
  }

  private T joinQuietly() {
    try {
      return result.getNow(null);
    } catch (CompletionException e) {
      throw rethrow(e.getCause());
    } catch (CancellationException e) {
      throw rethrow(e);
    }
  }

  private static RuntimeException rethrow(@Nullable Throwable t) {
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new ResilientRedisException(Describe.describe(t), t);
  }

  @Override
  public String toString() {
    return idempotence.name().toLowerCase(java.util.Locale.ROOT) + " call" + (routingKey == null ? ""
        : " on a key");
  }
}
