package io.github.resilientjcache.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisAuthenticationException;
import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.RedisUnavailableException;
import io.github.resilientjcache.core.ResilienceConfig;
import io.github.resilientjcache.core.ResilientRedisException;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.Config;
import org.redisson.config.TransportMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor. All of its decisions run on one thread of its own (the "supervisor thread"), so
 * rebuilds are single-flight by construction and no Redisson or Netty thread ever waits for one: Netty
 * callbacks and callers only hand events to that thread. Blocking work (building and closing clients) runs
 * on worker threads, bounded by timeouts the supervisor thread enforces.
 */
public final class DefaultRedisSupervisor implements RedisSupervisor {

  private static final Logger log = LoggerFactory.getLogger(RedisSupervisor.class);
  /** At most this many clients being built at once: the current attempt and one superseded or late one. */
  private static final int MAX_BUILDERS = 2;

  private final Config baseConfig;
  private final ResilienceConfig rc;
  private final Clock clock;
  private final String name;
  private final Topology topology;
  private final ScheduledExecutorService supervisor;
  private final ExecutorService workers;
  private final ScheduledExecutorService retryTimer;
  private final @Nullable EventLoopGroup sharedGroup;
  private final @Nullable ExecutorService sharedExecutor;
  private final EventLoopGroup dnsLoop;
  private final @Nullable DnsWatch dns;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final EventBus events;
  private final Backoff backoff;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong rebuilds = new AtomicLong();
  /** Workers inside Redisson.create or verification, superseded or timed-out ones included. */
  private final AtomicInteger builders = new AtomicInteger();
  private final CompletableFuture<Void> firstOutcome = new CompletableFuture<>();

  private volatile @Nullable Generation current;
  private volatile boolean closed;
  private volatile @Nullable RedisAuthenticationException authFailure;
  private volatile String lastFailure = "no failure";

  // Owned by the supervisor thread.
  private boolean attemptRunning;
  private long attemptSeq; // identifies the attempt whose outcome counts; a stale one's client is closed
  private boolean attemptSupersedable;
  private int attempt;
  private @Nullable ScheduledFuture<?> nextAttempt;
  private @Nullable ScheduledFuture<?> graceCheck;
  private boolean probeRunning;
  private int probeFailures;
  private @Nullable Instant outageStart;
  private @Nullable Set<String> lastDnsAnswer;

  private DefaultRedisSupervisor(Config config, ResilienceConfig rc, Clock clock, String name) {
    this.rc = rc;
    this.clock = clock;
    this.name = name;
    this.topology = Topology.of(config);
    this.supervisor = Executors.newSingleThreadScheduledExecutor(daemon("rjc-" + name + "-supervisor"));
    this.workers = Executors.newCachedThreadPool(daemon("rjc-" + name + "-worker"));
    // Async retries call the application's operation again: never on the supervisor's own thread.
    this.retryTimer = Executors.newSingleThreadScheduledExecutor(daemon("rjc-" + name + "-retry"));
    this.baseConfig = new Config(config);
    // Generations share one Netty group and one executor: a rebuild then costs no thread churn, and
    // Redisson's shutdown leaves both alone, so it cannot hang on them (redisson#3984, #5637).
    if (baseConfig.getEventLoopGroup() == null && baseConfig.getTransportMode() == TransportMode.NIO) {
      int threads = baseConfig.getNettyThreads() > 0 ? baseConfig.getNettyThreads() : 32;
      this.sharedGroup = new MultiThreadIoEventLoopGroup(threads, daemon("rjc-" + name + "-netty"),
          NioIoHandler.newFactory());
      baseConfig.setEventLoopGroup(sharedGroup);
    } else {
      this.sharedGroup = null;
    }
    if (baseConfig.getExecutor() == null) {
      int threads = baseConfig.getThreads() > 0 ? baseConfig.getThreads() : 16;
      this.sharedExecutor = Executors.newFixedThreadPool(threads, daemon("rjc-" + name + "-redisson"));
      baseConfig.setExecutor(sharedExecutor);
    } else {
      this.sharedExecutor = null;
    }
    this.dnsLoop = new MultiThreadIoEventLoopGroup(1, daemon("rjc-" + name + "-dns"), NioIoHandler.newFactory());
    String host = topology.hostname();
    this.dns = host != null && !rc.dnsCheckInterval().isZero()
        ? new DnsWatch(baseConfig, dnsLoop, host, topology.port()) : null;
    this.breaker = CircuitBreaker.of("redis-" + name, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(rc.slidingWindowSize())
        .minimumNumberOfCalls(rc.minimumNumberOfCalls())
        .failureRateThreshold(rc.failureRateThreshold())
        .recordException(FailureClassifier::isFailoverSignal)
        // The supervisor, not a timer, decides when Redis is back: after a verified rebuild, or (for a
        // topology Redisson manages) after a successful probe.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .waitDurationInOpenState(Duration.ofDays(365))
        .build());
    this.retry = Retry.of("redis-" + name, RetryConfig.custom()
        .maxAttempts(rc.retryMaxAttempts())
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(rc.retryInitialInterval(), 2.0, 0.5,
            rc.retryMaxInterval()))
        .retryOnException(t -> t instanceof RedisUnavailableException u && !u.failedFast())
        .failAfterMaxAttempts(false)
        .build());
    this.events = new EventBus(log);
    this.backoff = new Backoff(rc.rebuildBackoffInitial(), rc.rebuildBackoffMax(),
        () -> ThreadLocalRandom.current().nextDouble());
    breaker.getEventPublisher().onStateTransition(e -> onSupervisorThread(() -> onBreakerTransition(e)));
  }

  /** Builds the supervisor and waits a bounded time for the first client; see {@link RedisSupervisor.Builder#build}. */
  public static DefaultRedisSupervisor start(Config config, ResilienceConfig rc, Clock clock, String name) {
    DefaultRedisSupervisor s = new DefaultRedisSupervisor(config, rc, clock, name);
    s.onSupervisorThread(() -> s.startAttempt("initial connect"));
    try {
      s.firstOutcome.get(rc.verifyTimeout().toMillis() + 250, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisAuthenticationException auth) {
        s.close();
        throw auth;
      }
      log.warn("Redis {} is not reachable yet ({}); starting unavailable and retrying in the background",
          s.topology.endpoint(), describe(e.getCause()));
    } catch (TimeoutException e) {
      log.warn("Redis {} did not answer within {} ms; starting unavailable and retrying in the background",
          s.topology.endpoint(), rc.verifyTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.close();
      throw new ResilientRedisException("interrupted while connecting to Redis " + s.topology.endpoint(), e);
    }
    s.onSupervisorThread(s::scheduleLoops);
    return s;
  }

  // ---------------------------------------------------------------- calls

  @Override
  public <T> T execute(Idempotence idempotence, Function<? super RedissonClient, ? extends T> operation) {
    Objects.requireNonNull(idempotence, "idempotence");
    Objects.requireNonNull(operation, "operation");
    if (idempotence == Idempotence.IDEMPOTENT && rc.retryMaxAttempts() > 1) {
      return Retry.decorateSupplier(retry, () -> attempt(operation)).get();
    }
    return attempt(operation);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Idempotence idempotence,
      Function<? super RedissonClient, ? extends CompletionStage<T>> operation) {
    Objects.requireNonNull(idempotence, "idempotence");
    Objects.requireNonNull(operation, "operation");
    if (idempotence == Idempotence.IDEMPOTENT && rc.retryMaxAttempts() > 1) {
      return Retry.decorateCompletionStage(retry, retryTimer, () -> attemptAsync(operation)).get();
    }
    return attemptAsync(operation);
  }

  private <T> T attempt(Function<? super RedissonClient, ? extends T> operation) {
    Generation g = admit();
    long start = System.nanoTime();
    T result;
    try {
      result = operation.apply(g.client());
    } catch (RuntimeException e) {
      throw onFailure(g, e, System.nanoTime() - start);
    } catch (Throwable t) {
      breaker.releasePermission();
      throw t;
    }
    breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    return result;
  }

  private <T> CompletionStage<T> attemptAsync(Function<? super RedissonClient, ? extends CompletionStage<T>> operation) {
    Generation g;
    try {
      g = admit();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    long start = System.nanoTime();
    CompletionStage<T> stage;
    try {
      stage = Objects.requireNonNull(operation.apply(g.client()), "the operation returned no CompletionStage");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(onFailure(g, e, System.nanoTime() - start));
    } catch (Throwable t) {
      breaker.releasePermission();
      throw t;
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        result.complete(value);
      } else {
        result.completeExceptionally(onFailure(g, error, System.nanoTime() - start));
      }
    });
    return result;
  }

  /** The generation to run on, or a fail-fast exception when there is none or the counter is open. */
  private Generation admit() {
    RedisAuthenticationException auth = authFailure;
    if (auth != null) {
      throw new RedisAuthenticationException(auth.getMessage(), auth.getCause());
    }
    Generation g = current;
    if (closed) {
      throw new RedisUnavailableException("Redis " + topology.endpoint() + ": the supervisor is closed", null,
          g == null ? 0 : g.number(), true);
    }
    if (g == null) {
      throw new RedisUnavailableException("Redis " + topology.endpoint() + " is not connected yet (" + lastFailure
          + "); the call failed fast while the supervisor keeps trying", null, 0, true);
    }
    if (!breaker.tryAcquirePermission()) {
      throw new RedisUnavailableException("Redis " + topology.endpoint() + " is unavailable (" + lastFailure
          + "); the call failed fast while the client is rebuilt (generation " + g.number() + ")", null,
          g.number(), true);
    }
    return g;
  }

  /** Counts a failed call and turns it into what the caller gets. */
  private RuntimeException onFailure(Generation g, Throwable raw, long nanos) {
    Throwable e = FailureClassifier.unwrap(raw);
    FailureClassifier.Kind kind = FailureClassifier.classify(e);
    if (kind == FailureClassifier.Kind.AUTHENTICATION) {
      breaker.releasePermission();
      return new RedisAuthenticationException("Redis " + topology.endpoint()
          + " refused the credentials: check the password (or user) in the config", e);
    }
    if (!kind.isFailoverSignal()) {
      // Redis answered: for availability this call is a success, whatever it means to the caller.
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
      return e instanceof RuntimeException re ? re : new ResilientRedisException(describe(e), e);
    }
    String what = describe(kind, e);
    if (g != current) {
      // The client was replaced under the call: not a failure of the new one.
      breaker.releasePermission();
      return new RedisUnavailableException("Redis " + topology.endpoint() + ": " + what + " on replaced generation "
          + g.number(), e, g.number(), false);
    }
    lastFailure = what;
    breaker.onError(nanos, TimeUnit.NANOSECONDS, e);
    if (kind.isStrong() && topology.isSingle()) {
      onSupervisorThread(() -> strongSignal(g, what));
    }
    return new RedisUnavailableException("Redis " + topology.endpoint() + " failed the call: " + what
        + " (generation " + g.number() + ")", e, g.number(), false);
  }

  // ---------------------------------------------------------------- supervisor thread

  private void scheduleLoops() {
    if (!rc.probeInterval().isZero()) {
      supervisor.scheduleWithFixedDelay(guarded(this::probe), rc.probeInterval().toMillis(),
          rc.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (dns != null) {
      supervisor.scheduleWithFixedDelay(guarded(this::checkDns), rc.dnsCheckInterval().toMillis(),
          rc.dnsCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void onBreakerTransition(CircuitBreakerOnStateTransitionEvent e) {
    CircuitBreaker.State to = e.getStateTransition().getToState();
    Generation g = current;
    long n = g == null ? 0 : g.number();
    if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN) {
      if (!isOpen()) {
        return; // a late event: the counter was closed again meanwhile
      }
      if (outageStart == null) {
        outageStart = clock.instant();
      }
      log.warn("Redis {} unavailable (generation {}): {}; {}", topology.endpoint(), n, lastFailure,
          topology.isSingle() ? "rebuilding the client" : "waiting for Redisson to follow the topology");
      events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), n,
          SupervisorState.AVAILABLE, SupervisorState.UNAVAILABLE, lastFailure));
      if (topology.isSingle()) {
        startAttempt(lastFailure);
      } else if (!rc.topologyGracePeriod().isZero()) {
        cancel(graceCheck);
        graceCheck = supervisor.schedule(guarded(() -> {
          if (isOpen()) {
            startAttempt("still unavailable after " + rc.topologyGracePeriod().toSeconds() + " s: " + lastFailure);
          }
        }), rc.topologyGracePeriod().toMillis(), TimeUnit.MILLISECONDS);
      } else {
        startAttempt(lastFailure);
      }
    } else if (to == CircuitBreaker.State.CLOSED) {
      cancel(nextAttempt);
      cancel(graceCheck);
      if (attemptRunning && !topology.isSingle()) {
        attemptSeq++; // Redisson recovered by itself: a rebuild now would only disturb it
        attemptRunning = false;
      }
      events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), n,
          SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE, "generation " + n + " verified"));
    }
  }

  private boolean isOpen() {
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /** A strong signal (READONLY, not a master, moved, shut down): open and rebuild now. */
  private void strongSignal(@Nullable Generation g, String what) {
    if (closed || g == null || g != current || attemptRunning) {
      return;
    }
    lastFailure = what;
    if (!isOpen()) {
      breaker.transitionToOpenState(); // the transition listener starts the rebuild
    } else {
      startAttempt(what);
    }
  }

  private void startAttempt(String reason) {
    startAttempt(reason, true);
  }

  /**
   * Starts one build-and-verify attempt unless one runs. {@code supersedable}: a later DNS change may
   * replace it (once: a name that keeps changing must not starve every attempt).
   */
  private void startAttempt(String reason, boolean supersedable) {
    if (closed || attemptRunning || authFailure != null) {
      return;
    }
    cancel(nextAttempt);
    cancel(graceCheck);
    if (builders.get() >= MAX_BUILDERS) {
      // Earlier attempts are still stuck in Redisson.create: do not pile more clients onto the node.
      nextAttempt = supervisor.schedule(guarded(() -> startAttempt(reason, supersedable)),
          rc.rebuildBackoffInitial().toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    attemptRunning = true;
    attemptSupersedable = supersedable;
    attempt++;
    int thisAttempt = attempt;
    long seq = ++attemptSeq;
    Generation old = current;
    events.publish(new SupervisorEvent.RebuildStarted(clock.instant(), topology.endpoint(),
        old == null ? 0 : old.number(), reason, thisAttempt));
    long started = System.nanoTime();
    CompletableFuture<Generation> built = new CompletableFuture<>();
    // A worker builds; the supervisor thread only waits for the outcome. Redisson.create can block far
    // longer than verifyTimeout (connect retries with sleeps), so a late client is closed, not used.
    builders.incrementAndGet();
    workers.execute(() -> {
      try {
        Generation g = build();
        if (!built.complete(g)) {
          closeQuietly(g.client(), "a client built too late (attempt " + thisAttempt + ")");
        }
      } catch (Throwable t) {
        built.completeExceptionally(t);
      } finally {
        builders.decrementAndGet();
      }
    });
    built.orTimeout(rc.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((g, err) -> {
      boolean handed = onSupervisorThread(() -> attemptDone(seq, g, err, thisAttempt,
          Duration.ofNanos(System.nanoTime() - started)));
      if (!handed && g != null) {
        closeQuietly(g.client(), "a client built while the supervisor closed");
      }
    });
  }

  /** Runs on a worker: a new client from the same config (so DNS is resolved again), then verified. */
  private Generation build() throws Exception {
    RedissonClient client = Redisson.create(baseConfig); // it copies the config itself
    try {
      String role = Probe.role(client, rc.verifyTimeout()).toCompletableFuture()
          .get(rc.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!"master".equals(role)) {
        throw new NotAPrimaryException("the node answers as " + role + ", not master");
      }
      InetSocketAddress address = topology.isSingle()
          ? client.getRedisNodes(RedisNodes.SINGLE).getInstance().getAddr() : null;
      return new Generation(0, client, address); // numbered when swapped in
    } catch (Exception | Error e) {
      closeQuietly(client, "a rejected client");
      throw e;
    }
  }

  private void attemptDone(long seq, @Nullable Generation g, @Nullable Throwable err, int thisAttempt,
      Duration took) {
    if (closed || seq != attemptSeq) {
      if (g != null) {
        closeQuietly(g.client(), closed ? "a client built during close" : "a client for a superseded attempt");
      }
      return;
    }
    attemptRunning = false;
    if (g != null) {
      swapIn(g, thisAttempt, took);
      return;
    }
    Throwable cause = err == null ? new IllegalStateException("no client") : FailureClassifier.unwrap(err);
    if (cause instanceof TimeoutException) {
      cause = new TimeoutException("no verified client within " + rc.verifyTimeout().toMillis() + " ms");
    }
    Generation old = current;
    long n = old == null ? 0 : old.number();
    if (FailureClassifier.classify(cause) == FailureClassifier.Kind.AUTHENTICATION) {
      if (old == null) {
        // Never connected: the config is wrong, and retrying would only hammer Redis with bad logins.
        RedisAuthenticationException auth = new RedisAuthenticationException("Redis " + topology.endpoint()
            + " refused the credentials: check the password (or user) in the config; not retrying", cause);
        authFailure = auth;
        log.error("Redis {} refused the credentials; the supervisor stops connecting until it is restarted with"
            + " a corrected config", topology.endpoint());
        events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt,
            took, "authentication refused", Duration.ZERO));
        firstOutcome.completeExceptionally(auth);
        return;
      }
      // It worked before: a password rotation in progress, perhaps. Keep trying, slowly.
      log.error("Redis {} refused the credentials on rebuild attempt {}; retrying every {} s",
          topology.endpoint(), thisAttempt, rc.rebuildBackoffMax().toSeconds());
      events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
          "authentication refused", rc.rebuildBackoffMax()));
      scheduleNextAttempt("retry after: authentication refused", rc.rebuildBackoffMax());
      return;
    }
    String what = cause instanceof NotAPrimaryException ? cause.getMessage() : describe(cause);
    Duration wait = backoff.delay(thisAttempt);
    if (thisAttempt == 1) {
      log.warn("Redis {}: rebuild attempt 1 failed: {}; retrying with backoff up to {} s", topology.endpoint(),
          what, rc.rebuildBackoffMax().toSeconds());
    } else {
      log.debug("Redis {}: rebuild attempt {} failed: {}; next in {} ms", topology.endpoint(), thisAttempt, what,
          wait.toMillis());
    }
    events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
        what, wait));
    firstOutcome.completeExceptionally(cause);
    scheduleNextAttempt("retry after: " + what, wait);
  }

  private void scheduleNextAttempt(String reason, Duration wait) {
    nextAttempt = supervisor.schedule(guarded(() -> {
      // With Sentinel or Cluster, Redisson may have recovered meanwhile (a probe closed the counter).
      if (topology.isSingle() || isOpen() || current == null) {
        startAttempt(reason);
      }
    }), wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void swapIn(Generation built, int thisAttempt, Duration took) {
    Generation g = new Generation(generations.incrementAndGet(), built.client(), built.address());
    Generation old = current;
    current = g;
    if (closed) {
      // close() ran between our check and the swap and closed the old client: this one is ours to close.
      current = null;
      closeQuietly(g.client(), "a client swapped in during close");
      return;
    }
    if (old != null) {
      rebuilds.incrementAndGet();
    }
    Duration outage = outageStart == null ? null : Duration.between(outageStart, clock.instant());
    attempt = 0;
    probeFailures = 0;
    outageStart = null;
    lastFailure = "no failure";
    if (old == null) {
      log.info("Redis {} connected: generation {} at {}", topology.endpoint(), g.number(), g.describeAddress());
    } else {
      log.info("Redis {} available again: generation {} at {} replaced generation {} after {} attempt(s){}",
          topology.endpoint(), g.number(), g.describeAddress(), old.number(), thisAttempt,
          outage == null ? "" : ", outage " + outage.toMillis() + " ms");
    }
    // Available before anyone hears of the new generation: listeners rebind through execute().
    if (breaker.getState() != CircuitBreaker.State.CLOSED) {
      breaker.transitionToClosedState();
    }
    firstOutcome.complete(null);
    events.publish(new SupervisorEvent.RebuildSucceeded(clock.instant(), topology.endpoint(), g.number(), thisAttempt,
        took, g.describeAddress()));
    events.publish(new SupervisorEvent.GenerationChanged(clock.instant(), topology.endpoint(), g.number(),
        old == null ? 0 : old.number(), outage));
    if (old != null) {
      closeQuietly(old.client(), "replaced generation " + old.number());
    }
  }

  private void probe() {
    Generation g = current;
    if (closed || probeRunning || g == null) {
      return;
    }
    if (topology.isSingle() && (attemptRunning || isOpen())) {
      return; // recovering: the rebuild attempts are the probe
    }
    long start = System.nanoTime();
    CompletableFuture<String> role;
    try {
      role = Probe.role(g.client(), rc.probeTimeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      role = CompletableFuture.failedFuture(e);
    }
    probeRunning = true;
    role.orTimeout(rc.probeTimeout().toMillis() + 100, TimeUnit.MILLISECONDS)
        .whenComplete((r, err) -> onSupervisorThread(() -> probeDone(g, r, err, System.nanoTime() - start)));
  }

  private void probeDone(Generation g, @Nullable String role, @Nullable Throwable err, long nanos) {
    probeRunning = false;
    if (closed || g != current) {
      return;
    }
    if (err == null && "master".equals(role)) {
      probeFailures = 0;
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
      if (!topology.isSingle() && isOpen()) {
        log.info("Redis {} answers again without a rebuild (generation {})", topology.endpoint(), g.number());
        breaker.transitionToClosedState();
      }
      return;
    }
    if (err == null) {
      String what = "the node at " + g.describeAddress() + " answers as " + role + ", not master";
      if (topology.isSingle()) {
        strongSignal(g, what);
      }
      return;
    }
    Throwable cause = FailureClassifier.unwrap(err);
    FailureClassifier.Kind kind = FailureClassifier.classify(cause);
    if (!kind.isFailoverSignal()) {
      log.debug("Redis {}: probe failed with a non-failover error: {}", topology.endpoint(), describe(cause));
      return;
    }
    probeFailures++;
    String what = "probe " + probeFailures + ": " + describe(kind, cause);
    lastFailure = what;
    breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
    if (!topology.isSingle()) {
      return; // counted in the failure counter's window; Redisson follows the topology
    }
    if (kind.isStrong() || probeFailures >= rc.probeFailuresToOpen()) {
      strongSignal(g, describe(kind, cause) + " (" + probeFailures + " probe(s) in a row)");
    } else {
      // Confirm soon rather than one interval later, but not at once: a reset connection needs a moment
      // to reconnect, and a blip must not cost a rebuild.
      supervisor.schedule(guarded(this::probe), confirmDelayMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private long confirmDelayMillis() {
    return Math.max(1, rc.probeInterval().toMillis() / 2);
  }

  private void checkDns() {
    DnsWatch watch = dns;
    if (closed || watch == null) {
      return;
    }
    watch.resolve().whenComplete((ips, err) -> onSupervisorThread(() -> dnsDone(watch, ips, err)));
  }

  private void dnsDone(DnsWatch watch, @Nullable Set<String> ips, @Nullable Throwable err) {
    if (closed || ips == null || ips.isEmpty()) {
      if (err != null) {
        log.debug("Redis {}: resolving {} failed: {}", topology.endpoint(), watch.hostname(), describe(err));
      }
      return;
    }
    Set<String> previous = lastDnsAnswer;
    lastDnsAnswer = ips;
    boolean changed = previous != null && !previous.equals(ips);
    Generation g = current;
    if (attemptRunning) {
      if (changed && attemptSupersedable) {
        // The running attempt went to the old address and may hang there until verifyTimeout: supersede
        // it. Still single-flight: only the newest attempt's client can be swapped in.
        attemptSeq++;
        attemptRunning = false;
        attempt--; // the superseded attempt does not count towards the backoff
        startAttempt(watch.hostname() + " now resolves to " + ips, false);
      }
      return;
    }
    if (isOpen() || g == null) {
      if (changed) {
        startAttempt(watch.hostname() + " now resolves to " + ips); // do not wait out the backoff
      }
      return;
    }
    InetSocketAddress a = g.address();
    if (a != null && !ips.contains(a.getAddress().getHostAddress())) {
      strongSignal(g, watch.hostname() + " now resolves to " + ips + ", the client is connected to "
          + a.getAddress().getHostAddress());
    }
  }

  // ---------------------------------------------------------------- the rest of the API

  @Override
  public SupervisorState state() {
    if (closed) {
      return SupervisorState.CLOSED;
    }
    return current == null || isOpen() ? SupervisorState.UNAVAILABLE : SupervisorState.AVAILABLE;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ResilienceConfig resilience() {
    return rc;
  }

  @Override
  public long generation() {
    Generation g = current;
    return g == null ? 0 : g.number();
  }

  @Override
  public String endpoint() {
    return topology.endpoint();
  }

  @Override
  public SupervisorEventPublisher events() {
    return events;
  }

  @Override
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  @Override
  public Retry retry() {
    return retry;
  }

  @Override
  public long rebuildCount() {
    return rebuilds.get();
  }

  @Override
  public void requestRebuild(String reason) {
    Objects.requireNonNull(reason, "reason");
    onSupervisorThread(() -> {
      Generation g = current;
      if (g == null) {
        startAttempt(reason);
      } else {
        strongSignal(g, reason);
      }
    });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + rc.closeTimeout().toNanos();
    supervisor.shutdownNow();
    for (Runnable pending : retryTimer.shutdownNow()) {
      pending.run(); // a scheduled async retry: it now fails fast ("closed") and completes its caller's stage
    }
    Generation g = current;
    current = null;
    CompletableFuture<Void> shutdown = g == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.runAsync(() -> g.client().shutdown(0, rc.closeTimeout().toMillis(), TimeUnit.MILLISECONDS),
            workers);
    awaitQuietly(shutdown, deadline, "closing generation " + (g == null ? 0 : g.number()));
    awaitQuietly(dnsLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS), deadline);
    if (sharedGroup != null) {
      awaitQuietly(sharedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS), deadline);
    }
    if (sharedExecutor != null) {
      sharedExecutor.shutdownNow();
    }
    workers.shutdownNow();
    awaitTermination(supervisor, deadline);
    awaitTermination(retryTimer, deadline);
    awaitTermination(workers, deadline);
    if (sharedExecutor != null) {
      awaitTermination(sharedExecutor, deadline);
    }
    log.info("Redis {} supervisor closed after {} rebuild(s)", topology.endpoint(), rebuilds.get());
  }

  @Override
  public String toString() {
    return "RedisSupervisor[" + name + ", " + topology.endpoint() + ", " + state() + ", generation " + generation()
        + "]";
  }

  // ---------------------------------------------------------------- helpers

  /** A task for the supervisor's scheduler: an exception is logged, never allowed to cancel a loop. */
  private Runnable guarded(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("Redis {}: supervisor step failed", topology.endpoint(), e);
      }
    };
  }

  /** Hands {@code r} to the supervisor thread; false when the supervisor is closed and will not run it. */
  private boolean onSupervisorThread(Runnable r) {
    if (closed) {
      return false;
    }
    try {
      supervisor.execute(guarded(r));
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  /** Closes a client on a worker, bounded by closeTimeout; a hang is logged, never waited for. */
  private void closeQuietly(RedissonClient client, String what) {
    try {
      workers.execute(() -> {
        long start = System.nanoTime();
        try {
          client.shutdown(0, rc.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
          log.debug("Redis {}: closing {} failed: {}", topology.endpoint(), what, describe(e));
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (ms > 2 * rc.closeTimeout().toMillis()) {
          log.warn("Redis {}: closing {} took {} ms", topology.endpoint(), what, ms);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      client.shutdown(0, rc.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void awaitQuietly(java.util.concurrent.Future<?> f, long deadline, String what) {
    try {
      f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("Redis {}: {} did not finish within the close timeout ({} ms); abandoned", topology.endpoint(), what,
          rc.closeTimeout().toMillis());
    } catch (ExecutionException e) {
      log.debug("Redis {}: {} failed: {}", topology.endpoint(), what, describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitQuietly(io.netty.util.concurrent.Future<?> f, long deadline) {
    f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private static void awaitTermination(ExecutorService e, long deadline) {
    try {
      e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  private static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  static String describe(FailureClassifier.Kind kind, Throwable e) {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " (" + describe(e) + ")";
  }

  /** The root cause of an exception chain, with its type: what actually went wrong. */
  static String describe(@Nullable Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    Throwable root = e;
    for (int i = 0; i < 16 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    String m = root.getMessage();
    if (m != null) {
      // Redisson's timeout messages run to several hundred characters of advice and command dumps.
      for (String cut : new String[] {" Check connection", ", command:", " channel: [", ". Increase", " Try to increase"}) {
        int i = m.indexOf(cut);
        if (i > 0) {
          m = m.substring(0, i);
        }
      }
      if (m.length() > 200) {
        m = m.substring(0, 200) + "...";
      }
    }
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A verified client that is not a primary: single-server writes must go to a primary. */
  static final class NotAPrimaryException extends Exception {
    private static final long serialVersionUID = 1L;

    NotAPrimaryException(String message) {
      super(message);
    }
  }
}
