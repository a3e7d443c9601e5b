package io.github.resilientjcache.core.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilientjcache.core.Attachment;
import io.github.resilientjcache.core.CallCounts;
import io.github.resilientjcache.core.GenerationResource;
import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisAuthenticationException;
import io.github.resilientjcache.core.RedisOperation;
import io.github.resilientjcache.core.RedisOverloadedException;
import io.github.resilientjcache.core.RedisPermissionException;
import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.RedisUnavailableException;
import io.github.resilientjcache.core.ResilienceConfig;
import io.github.resilientjcache.core.ResilientRedisException;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import io.github.resilientjcache.core.internal.Live.Rejection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.NodeType;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.TransportMode;
import org.redisson.connection.ConnectionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor. All of its decisions run on one thread of its own (the "supervisor thread"), so
 * rebuilds are single-flight by construction, events come out in the order things happened, and no
 * Redisson or Netty thread ever waits for a rebuild: callbacks only hand events to that thread. Blocking
 * work (building and closing clients) runs on worker threads, bounded by timeouts the supervisor thread
 * enforces; listeners run on an event thread; retries on a retry thread.
 *
 * <p>Calls read one volatile snapshot ({@link Live}) to be admitted, and feed the failure counter without
 * locks or events. The counter never moves by itself: the supervisor opens it (calls then fail fast) and
 * closes it after a verified rebuild, or, for a topology Redisson follows itself, once every primary
 * answers the probe again.
 */
public final class DefaultRedisSupervisor implements RedisSupervisor {

  private static final Logger log = LoggerFactory.getLogger(RedisSupervisor.class);
  /** How often calls past their deadline are looked for (async callers; sync ones time out themselves). */
  private static final long SWEEP_MILLIS = 100;
  /** After a lost connection, how long a write may stay unanswered before it is taken to be on it. */
  private static final long LOST_CONNECTION_GRACE_MILLIS = 100;
  /** How often the endpoint's name is resolved while Redis is unavailable. */
  private static final long OUTAGE_DNS_CHECK_MILLIS = 200;

  private final Config baseConfig;
  private final ResilienceConfig rc;
  private final Clock clock;
  private final String name;
  private final Topology topology;
  private final long callTimeoutNanos;
  private final ScheduledExecutorService supervisor;
  private final ExecutorService workers;
  private final ScheduledExecutorService retryTimer;
  private final @Nullable EventLoopGroup sharedGroup;
  private final @Nullable ExecutorService sharedExecutor;
  /** The DNS watch's event loop: only for a single server named by a host name that is watched. */
  private final @Nullable EventLoopGroup dnsLoop;
  private final @Nullable DnsWatch dns;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final EventBus events;
  private final Backoff backoff;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong rebuilds = new AtomicLong();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder overloaded = new LongAdder();
  private final LongAdder retried = new LongAdder();
  /** Coalesce the hand-offs calls make to the supervisor thread: one pending of each kind at most. */
  private final AtomicBoolean openPending = new AtomicBoolean();
  private final AtomicBoolean replacePending = new AtomicBoolean();
  private final List<AttachmentImpl<?>> attachments = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> firstOutcome = new CompletableFuture<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  /**
   * Clients made and not yet shut down, candidates still in Redisson.create included. The shared Netty
   * group and executor must outlive every one of them: a Redisson shutdown that meets a terminated group
   * fails before it stops its timer, whose thread is not a daemon.
   */
  private final Set<Object> liveClients = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> allClientsClosed = new CompletableFuture<>();

  private volatile Live live;
  /** Calls refused by a replica, waiting for the next generation (or their deadline). */
  private final Set<Parked> parked = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * Where retries, resends and failures decided on the supervisor thread run: the executor Redisson runs
   * its callbacks on (many threads). Never the supervisor thread, and never the single timer thread: an
   * operation that blocks there would hold up every other call's retry and deadline.
   */
  private final java.util.concurrent.Executor completions;
  private volatile boolean closed;
  private volatile String lastFailure = "no failure";
  /**
   * True while the failure counter's window is full of successes: another success would change nothing
   * in it, so calls do not touch it (no lock, no write). A failure makes it false until the window is full
   * of successes again.
   */
  private volatile boolean windowClean;
  /** Successes recorded since the window last held a failure; racy on purpose, it only paces a check. */
  private int recordedSinceDirty;

  // Owned by the supervisor thread.
  private boolean attemptRunning;
  private long attemptSeq; // identifies the attempt whose outcome counts; a stale one's client is closed
  private Purpose attemptPurpose = Purpose.RECOVER;
  private boolean attemptSupersedable;
  private int attempt;
  private @Nullable ScheduledFuture<?> nextAttempt;
  private @Nullable ScheduledFuture<?> graceCheck;
  private @Nullable ScheduledFuture<?> shardGraceCheck;
  private boolean probeRunning;
  private boolean silenceCheckPending;
  /** A replacement was asked for and no new client has been swapped in yet. */
  private boolean replacing;
  /** System.nanoTime() of the last probe a node answered; long ago at first. */
  private long lastProbeOkNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
  private int probeFailures;
  private @Nullable Instant outageStart;
  private @Nullable Set<String> lastDnsAnswer;
  private final Map<InetSocketAddress, Shard> shards = new HashMap<>();
  /** Shards a grace rebuild was made for: still down on the new client, they are down, not a stuck client. */
  private final Set<InetSocketAddress> rebuiltForShards = new HashSet<>();
  private boolean permissionLogged;

  /** Why a build-and-verify attempt runs; it decides what a failed attempt leads to. */
  private enum Purpose {
    /** The counter is open (or there is no client yet): keep trying with backoff until one verifies. */
    RECOVER,
    /** The current client talks to the wrong node (READONLY, moved): calls continue on it meanwhile. */
    REPLACE,
    /** A probe timed out once: a fresh client that answers at once proves the old connections dead. */
    SPECULATIVE,
    /**
     * On Cluster, a shard stayed down past the grace period: the client may be stuck. The current one keeps
     * serving the other shards; one fresh client is tried, and dropped if it cannot be built (Redisson
     * cannot build a Cluster client while a primary is down and not replaced: then the shard is down, not
     * the client).
     */
    REFRESH
  }

  private DefaultRedisSupervisor(Config config, ResilienceConfig rc, Clock clock, String name) {
    this.rc = rc;
    this.clock = clock;
    this.name = name;
    this.topology = Topology.of(config);
    this.supervisor = Threads.singleThreadScheduler("rjc-" + name + "-supervisor");
    this.workers = Executors.newCachedThreadPool(Threads.daemon("rjc-" + name + "-worker"));
    // Retries run the application's operation again: never on the supervisor's own thread.
    this.retryTimer = Threads.singleThreadScheduler("rjc-" + name + "-retry");
    this.events = new EventBus(log, Executors.newSingleThreadExecutor(Threads.daemon("rjc-" + name + "-events")));
    this.baseConfig = new Config(config);
    // On, even if the file turns it off (Redisson 4.7's default is on): EVAL goes out as EVALSHA, and a
    // NOSCRIPT (a promoted replica, a restarted node) is answered by loading the script and sending it
    // again, once, in one place. Nothing above needs to know.
    baseConfig.setUseScriptCache(true);
    this.callTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(serversConfig(baseConfig).getTimeout());
    // Generations share one Netty group and one executor: a rebuild then costs no thread churn, and
    // Redisson's shutdown leaves both alone, so it cannot hang on them (redisson#3984, #5637). The threads
    // keep the "redisson-netty" prefix: Redisson refuses a blocking call on threads so named, instead of
    // letting it deadlock the event loop.
    if (baseConfig.getEventLoopGroup() == null && baseConfig.getTransportMode() == TransportMode.NIO) {
      int threads = baseConfig.getNettyThreads() > 0 ? baseConfig.getNettyThreads() : 32;
      this.sharedGroup = new MultiThreadIoEventLoopGroup(threads, Threads.daemon("redisson-netty-rjc-" + name),
          NioIoHandler.newFactory());
      baseConfig.setEventLoopGroup(sharedGroup);
    } else {
      this.sharedGroup = null;
    }
    if (baseConfig.getExecutor() == null) {
      int threads = baseConfig.getThreads() > 0 ? baseConfig.getThreads() : 16;
      this.sharedExecutor = Executors.newFixedThreadPool(threads, Threads.daemon("rjc-" + name + "-redisson"));
      baseConfig.setExecutor(sharedExecutor);
    } else {
      this.sharedExecutor = null;
    }
    this.completions = baseConfig.getExecutor();
    String host = topology.hostname();
    boolean watchDns = host != null && !rc.dnsCheckInterval().isZero();
    this.dnsLoop = watchDns
        ? new MultiThreadIoEventLoopGroup(1, Threads.daemon("rjc-" + name + "-dns"), NioIoHandler.newFactory()) : null;
    this.dns = watchDns ? new DnsWatch(baseConfig, dnsLoop, host, topology.port(), rc.dnsCheckInterval()) : null;
    this.breaker = CircuitBreaker.of("redis-" + name, CircuitBreakerConfig.custom()
        // Synchronized, not LOCK_FREE: under 16 threads on 2 cores a lock-free record cost 10.8 us (CAS
        // retries, a new snapshot each), a synchronized one 0.3 us. Calls skip the window altogether
        // while it holds no failure (see recordInWindow).
        .slidingWindow(rc.slidingWindowSize(), rc.minimumNumberOfCalls(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
            CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.SYNCHRONIZED)
        .failureRateThreshold(rc.failureRateThreshold())
        .recordException(t -> true) // only failover signals are recorded at all
        // The supervisor, not a timer, decides when Redis is back.
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
    this.backoff = new Backoff(rc.rebuildBackoffInitial(), rc.rebuildBackoffMax(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.live = Live.rejecting(null, Rejection.unavailable("Redis " + topology.endpoint()
        + " is not connected yet; the call failed fast while the supervisor keeps trying", 0));
  }

  /** Builds the supervisor and waits a bounded time for the first client; see {@link RedisSupervisor.Builder#build}. */
  public static DefaultRedisSupervisor start(Config config, ResilienceConfig rc, Clock clock, String name) {
    DefaultRedisSupervisor s = new DefaultRedisSupervisor(config, rc, clock, name);
    s.onSupervisorThread(() -> s.startAttempt(Purpose.RECOVER, "initial connect", true));
    try {
      s.firstOutcome.get(rc.verifyTimeout().toMillis() + 250, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisAuthenticationException || e.getCause() instanceof RedisPermissionException) {
        s.close();
        throw (RuntimeException) e.getCause();
      }
      log.warn("Redis {} is not reachable yet ({}); starting unavailable and retrying in the background",
          s.topology.endpoint(), Describe.describe(e.getCause()));
    } catch (TimeoutException e) {
      log.warn("Redis {} did not answer within {} ms; starting unavailable and retrying in the background",
          s.topology.endpoint(), rc.verifyTimeout().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      s.close();
      throw new ResilientRedisException("interrupted while connecting to Redis " + s.topology.endpoint(), e);
    }
    s.onSupervisorThread(s::scheduleLoops);
    s.events.drain(rc.closeTimeout()); // listeners registered after build() hear nothing from before it
    return s;
  }

  // ---------------------------------------------------------------- calls

  @Override
  public <T> T execute(Idempotence idempotence, RedisOperation<T> operation) {
    return call(idempotence, null, operation).await();
  }

  @Override
  public <T> T execute(Idempotence idempotence, String routingKey, RedisOperation<T> operation) {
    return call(idempotence, Objects.requireNonNull(routingKey, "routingKey"), operation).await();
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Idempotence idempotence, RedisOperation<T> operation) {
    return callAsync(idempotence, null, operation);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Idempotence idempotence, String routingKey,
      RedisOperation<T> operation) {
    return callAsync(idempotence, Objects.requireNonNull(routingKey, "routingKey"), operation);
  }

  /** Admits and starts a call; a refusal is thrown on the caller's thread, with no future made for it. */
  private <T> Call<T> call(Idempotence idempotence, @Nullable String key, RedisOperation<T> operation) {
    Objects.requireNonNull(idempotence, "idempotence");
    Objects.requireNonNull(operation, "operation");
    long start = System.nanoTime();
    Generation g = admit(key);
    Call<T> c = new Call<>(this, idempotence, key, operation, start);
    c.run(g, start);
    return c;
  }

  private <T> CompletionStage<T> callAsync(Idempotence idempotence, @Nullable String key,
      RedisOperation<T> operation) {
    try {
      return call(idempotence, key, operation).result;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The generation to run on, or a fail-fast exception when there is none or the counter is open. */
  Generation admit(@Nullable String key) {
    Live l = live;
    Rejection r = l.rejection();
    if (r != null) {
      rejected.increment();
      throw r.exception();
    }
    Generation g = Objects.requireNonNull(l.generation());
    if (key != null && !l.openShards().isEmpty()) {
      InetSocketAddress shard = RedissonInternals.primaryFor(g.client, key);
      String refusal = shard == null ? null : l.openShards().get(shard);
      if (refusal != null) {
        rejected.increment();
        throw RedisUnavailableException.failFast(refusal, g.number);
      }
    }
    return g;
  }

  void recordSuccess(Attempt<?> a) {
    succeeded.increment();
    if (!windowClean && a.generation == live.generation() && countsInMainCounter(a.call.routingKey)) {
      recordSuccessInWindow();
    }
  }

  /** A success into the failure counter's window, unless the window is full of successes already. */
  private void recordSuccessInWindow() {
    if (windowClean) {
      return;
    }
    breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    noticeIfOpened(); // a success completes the minimum number of calls too, and can open the counter
    if (++recordedSinceDirty >= rc.slidingWindowSize()) {
      recordedSinceDirty = 0;
      CircuitBreaker.Metrics m = breaker.getMetrics();
      if (m.getNumberOfFailedCalls() == 0 && m.getNumberOfBufferedCalls() >= rc.slidingWindowSize()) {
        windowClean = true;
      }
    }
  }

  private void recordFailureInWindow(Throwable e) {
    windowClean = false;
    recordedSinceDirty = 0;
    breaker.onError(0, TimeUnit.NANOSECONDS, e);
    noticeIfOpened();
  }

  /** The window crossed its threshold with the last record: the supervisor thread opens for real. */
  private void noticeIfOpened() {
    if (live.rejection() == null && isBreakerOpen() && openPending.compareAndSet(false, true)
        && !onSupervisorThread(this::counterOpened)) {
      openPending.set(false);
    }
  }

  /** Closes the failure counter; its window starts empty, so calls fill it again. */
  private void closeCounter() {
    windowClean = false;
    recordedSinceDirty = 0;
    if (breaker.getState() != CircuitBreaker.State.CLOSED) {
      breaker.transitionToClosedState();
    }
  }

  private String credentialsRefused() {
    return "Redis " + topology.endpoint() + " refused the credentials: check the password (or user) in the config";
  }

  /** What an ACL user needs for the probe, for the messages that say it was refused. */
  private String probeNeeds() {
    return "the user needs EVAL and EVALSHA, and PEXPIRE on the key '" + rc.probeKey()
        + "' (resilience.probeKey); see docs/failover.md";
  }

  /** Counts a failed attempt, signals what it means, and turns it into what the caller gets. */
  RuntimeException recordFailure(Attempt<?> a, FailureClassifier.Kind kind, Throwable e) {
    Generation g = a.generation;
    switch (kind) {
      case AUTHENTICATION:
        failed.increment();
        return new RedisAuthenticationException(credentialsRefused(), e);
      case PERMISSION:
        failed.increment();
        return new RedisPermissionException("Redis " + topology.endpoint() + " refused the command for this user ("
            + Describe.describe(e) + "): grant the user the command and key pattern, see docs/failover.md", e);
      case APPLICATION:
        recordSuccess(a); // Redis answered: for availability this call is a success
        return e instanceof RuntimeException re ? re : new ResilientRedisException(Describe.describe(e), e);
      case OVERLOAD:
        overloaded.increment();
        return new RedisOverloadedException("Redis " + topology.endpoint() + " could not take the call now: "
            + Describe.describe(kind, e) + " (not a failover; generation " + g.number + ")", e, g.number);
      default:
        break;
    }
    failed.increment();
    String what = Describe.describe(kind, e);
    Live l = live;
    if (g != l.generation()) {
      return new RedisUnavailableException("Redis " + topology.endpoint() + ": " + what + " on replaced generation "
          + g.number, e, g.number, false);
    }
    if (kind.isCounted()) {
      lastFailure = what;
      String key = a.call.routingKey;
      if (!countsInMainCounter(key)) {
        InetSocketAddress shard = RedissonInternals.primaryFor(g.client, Objects.requireNonNull(key));
        if (shard != null) {
          onSupervisorThread(() -> shardCallFailed(g, shard, what));
        }
      } else {
        recordFailureInWindow(e);
      }
    }
    if (kind.replacesClient() && topology.isSingle() && replacePending.compareAndSet(false, true)) {
      onSupervisorThread(() -> replace(g, what));
    }
    return new RedisUnavailableException("Redis " + topology.endpoint() + " failed the call: " + what
        + " (generation " + g.number + ")", e, g.number, false);
  }

  /** On Cluster, calls on a key are counted by their shard; everything else by the main counter. */
  private boolean countsInMainCounter(@Nullable String key) {
    return key == null || !topology.isCluster();
  }

  /**
   * Runs {@code call} again on the generation after {@code failedOn}, or fails it at its deadline. Parked
   * calls are held in one set that the swap drains and each deadline takes its own call out of, so a long
   * demote holds only the calls still waiting.
   */
  <T> void afterGeneration(Generation failedOn, Call<T> call, RuntimeException failure) {
    Parked parked = new Parked(call, failure);
    // Parked first, then the generation read: a swap replaces the generation before it drains the set, so
    // either the drain finds this call, or the generation read here is already the new one.
    this.parked.add(parked);
    Generation now = live.generation();
    if (now != null && now != failedOn || closed) {
      if (this.parked.remove(parked)) {
        submit(call, call::retry);
      }
      return;
    }
    long left = call.deadlineNanos - System.nanoTime();
    try {
      retryTimer.schedule(() -> {
        if (this.parked.remove(parked)) {
          submit(call, () -> call.fail(failure));
        }
      }, Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      this.parked.remove(parked);
      call.fail(closedError());
    }
  }

  /** A call refused by a replica, waiting for the client that replaces it. */
  private record Parked(Call<?> call, RuntimeException failure) {}

  /** Runs {@code work} for {@code call} off the supervisor's threads; if nothing can run it any more, fails the call. */
  void submit(Call<?> call, Runnable work) {
    try {
      completions.execute(work);
    } catch (RejectedExecutionException e) {
      call.fail(closedError());
    }
  }

  /** Like {@link #submit}, after {@code delayMillis}. */
  void schedule(Call<?> call, Runnable work, long delayMillis) {
    try {
      retryTimer.schedule(() -> submit(call, work), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      call.fail(closedError());
    }
  }

  private RuntimeException closedError() {
    return RedisUnavailableException.failFast("Redis " + topology.endpoint() + ": the supervisor is closed",
        generation());
  }

  long callTimeoutNanos() {
    return callTimeoutNanos;
  }

  void countRetry() {
    retried.increment();
  }

  /**
   * How long after a call's deadline the supervisor still waits for Redisson's own answer: 100 ms (half the
   * timeout if that is shorter). Redisson's timer ticks and queues add tens of milliseconds to its timeout.
   */
  long cutoffGraceNanos() {
    return Math.min(TimeUnit.MILLISECONDS.toNanos(100), callTimeoutNanos / 2);
  }

  /** True when a client refused as a replica is replaced by the supervisor (single-server endpoints). */
  boolean replacesOnSignal() {
    return topology.isSingle();
  }

  // ---------------------------------------------------------------- supervisor thread

  private void scheduleLoops() {
    if (!rc.probeInterval().isZero()) {
      supervisor.scheduleWithFixedDelay(guarded(this::probe), rc.probeInterval().toMillis(),
          rc.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
    if (dns != null) {
      scheduleDnsCheck();
    }
    supervisor.scheduleWithFixedDelay(guarded(this::sweep), SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Fails calls whose operation outlived its deadline (Redisson's own retries, a lost response), and
   * looks at calls that have had no answer for a probe timeout: a read goes again at once (its connection
   * may have died without Redisson noticing yet; a read is safe to send twice), and, as for a probe that
   * timed out, the old connections are probed and a fresh client is built meanwhile. Under load the
   * application's own calls notice silent connections before the next probe would.
   */
  private void sweep() {
    Generation g = live.generation();
    if (g == null) {
      return;
    }
    long now = System.nanoTime();
    long stalledAfter = rc.probeTimeout().toNanos();
    boolean unexplained = false;
    long graceNanos = TimeUnit.MILLISECONDS.toNanos(LOST_CONNECTION_GRACE_MILLIS);
    for (Attempt<?> a : g.inFlight()) {
      Call<?> call = a.call;
      if (now - call.cutoffNanos > 0) {
        submit(call, call::deadlineExceeded);
      } else if (now - a.startedNanos > graceNanos && lostAround(g, a, graceNanos) && resendableAfterLostConnection(a)
          && call.resendAfterLostConnection() && a.claim()) {
        // Unanswered well after a connection was lost around the time it was sent (before it, or racing it:
        // Redisson reports one loss per address): it was on the dead connection.
        submit(call, () -> abandon(a, "a connection was lost as it was sent", true));
      } else if (now - a.startedNanos > stalledAfter) {
        if (call.resendAfterStall() && a.claim()) {
          abandonElsewhere(a, "no answer for " + rc.probeTimeout().toMillis() + " ms");
        }
        // Stalled although no probe has answered since it started: the connections may be silent.
        unexplained |= lastProbeOkNanos - a.startedNanos < 0;
      }
    }
    if (unexplained && topology.isSingle() && live.rejection() == null && !attemptRunning && !silenceCheckPending
        && !rc.probeInterval().isZero()) {
      confirmSilence("a call had no answer for " + rc.probeTimeout().toMillis() + " ms");
    }
  }

  /** A connection of {@code g} was lost after {@code a} was sent, or up to {@code graceNanos} before. */
  private static boolean lostAround(Generation g, Attempt<?> a, long graceNanos) {
    return g.lastDisconnectNanos - (a.startedNanos - graceNanos) > 0;
  }

  /**
   * A call has been waiting a probe timeout: probe now, and if that probe too is unanswered a moment later
   * (a healthy node answers in well under a millisecond), build a fresh client meanwhile. A slow command
   * on a healthy node costs one probe, not a client.
   */
  private void confirmSilence(String why) {
    long asked = System.nanoTime();
    silenceCheckPending = true;
    probe();
    supervisor.schedule(guarded(() -> {
      silenceCheckPending = false;
      if (lastProbeOkNanos - asked < 0 && probeRunning && !attemptRunning && live.rejection() == null) {
        startAttempt(Purpose.SPECULATIVE, why + ", and a probe none either", true);
      }
    }), Math.max(1, Math.min(100, rc.probeTimeout().toMillis() / 5)), TimeUnit.MILLISECONDS);
  }

  /** Ends a claimed attempt off the supervisor thread: it may complete an application's stage. */
  private void abandonElsewhere(Attempt<?> a, String why) {
    submit(a.call, () -> abandon(a, why, false));
  }

  private boolean isBreakerOpen() {
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  /** The counter's failure rate crossed the threshold on calls. */
  private void counterOpened() {
    openPending.set(false);
    if (!closed && isBreakerOpen() && live.rejection() == null) {
      open(lastFailure);
    }
  }

  /** Calls fail fast from now on, and the recovery starts. */
  private void open(String cause) {
    Generation g = live.generation();
    if (closed || g == null || live.rejection() != null) {
      return;
    }
    if (!isBreakerOpen()) {
      try {
        breaker.transitionToOpenState();
      } catch (io.github.resilience4j.circuitbreaker.IllegalStateTransitionException e) {
        // it opened by itself meanwhile: what this wanted
      }
    }
    lastFailure = cause;
    live = new Live(g, Rejection.unavailable("Redis " + topology.endpoint() + " is unavailable (" + cause
        + "); the call failed fast while " + (topology.isSingle() ? "the client is rebuilt" : "Redisson follows the"
        + " topology") + " (generation " + g.number + ")", g.number), live.openShards());
    if (outageStart == null) {
      outageStart = clock.instant();
    }
    log.warn("Redis {} unavailable (generation {}): {}; {}", topology.endpoint(), g.number, cause,
        topology.isSingle() ? "rebuilding the client" : "waiting for Redisson to follow the topology");
    events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), g.number,
        SupervisorState.AVAILABLE, SupervisorState.UNAVAILABLE, cause));
    if (topology.isSingle()) {
      attemptPurpose = Purpose.RECOVER; // a running replacement or speculative attempt now recovers
      startAttempt(Purpose.RECOVER, cause, true);
    } else {
      scheduleGraceRebuild("still unavailable after " + rc.topologyGracePeriod().toSeconds() + " s");
    }
  }

  /** A topology Redisson follows recovered without a rebuild: every primary answers again. */
  private void recoveredInPlace(Generation g) {
    if (live.rejection() == null || live.generation() != g) {
      return;
    }
    closeCounter();
    live = new Live(g, null, live.openShards());
    Duration outage = outageStart == null ? null : Duration.between(outageStart, clock.instant());
    outageStart = null;
    cancel(graceCheck);
    cancel(nextAttempt);
    rebuiltForShards.clear();
    cancelAttempt("Redisson recovered by itself; a rebuild now would only disturb it");
    attempt = 0; // the next outage starts its backoff from the beginning
    log.info("Redis {} answers again without a rebuild (generation {}){}", topology.endpoint(), g.number,
        outage == null ? "" : ", outage " + outage.toMillis() + " ms");
    events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), g.number,
        SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE, "every primary answers the probe"));
  }

  /**
   * The current client talks to the wrong node (READONLY, not a master, the name moved): build a new one,
   * and keep serving on this one meanwhile (a demoted node still answers reads).
   */
  private void replace(Generation g, String why) {
    replacePending.set(false);
    if (closed || g != live.generation() || attemptRunning) {
      return;
    }
    if (nextAttempt != null && !nextAttempt.isDone()) {
      return; // an earlier replacement failed and waits out its backoff; a moved name still starts one at once
    }
    lastFailure = why;
    log.warn("Redis {}: {}; building a new client, calls continue on generation {} meanwhile",
        topology.endpoint(), why, g.number);
    replacing = true;
    startAttempt(Purpose.REPLACE, why, true);
  }

  /** The main counter stayed open for the grace period: the client may be stuck; rebuild. */
  private void scheduleGraceRebuild(String reason) {
    if (rc.topologyGracePeriod().isZero()) {
      startAttempt(Purpose.RECOVER, reason, true);
      return;
    }
    if (graceCheck != null && !graceCheck.isDone()) {
      return;
    }
    graceCheck = supervisor.schedule(guarded(() -> {
      if (live.rejection() != null) {
        startAttempt(Purpose.RECOVER, reason + ": " + lastFailure, true);
      }
    }), rc.topologyGracePeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A shard stayed down for the grace period while others serve: try one fresh client. */
  private void scheduleShardGraceRefresh(String reason) {
    if (shardGraceCheck != null && !shardGraceCheck.isDone()) {
      return;
    }
    shardGraceCheck = supervisor.schedule(guarded(() -> {
      if (live.rejection() == null && !live.openShards().isEmpty()) {
        rebuiltForShards.addAll(live.openShards().keySet());
        startAttempt(Purpose.REFRESH, reason, true);
      }
    }), rc.topologyGracePeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts one build-and-verify attempt unless one runs. {@code supersedable}: a later DNS change may
   * replace it (once: a name that keeps changing must not starve every attempt). Attempts are never held
   * back by older ones still stuck connecting: those are closed when they return.
   */
  private void startAttempt(Purpose purpose, String reason, boolean supersedable) {
    if (closed || attemptRunning || live.rejection() instanceof Rejection.Terminal) {
      return;
    }
    cancel(nextAttempt);
    attemptRunning = true;
    attemptPurpose = purpose;
    attemptSupersedable = supersedable;
    attempt++;
    int thisAttempt = attempt;
    long seq = ++attemptSeq;
    Generation old = live.generation();
    events.publish(new SupervisorEvent.RebuildStarted(clock.instant(), topology.endpoint(),
        old == null ? 0 : old.number, reason, thisAttempt));
    long started = System.nanoTime();
    List<AttachmentImpl<?>> toOpen = List.copyOf(attachments);
    CompletableFuture<Candidate> built = new CompletableFuture<>();
    Object slot = new Object(); // counted here, on the supervisor thread, so close() cannot miss it
    liveClients.add(slot);
    // A worker builds; the supervisor thread only waits for the outcome. Redisson.create can block far
    // longer than verifyTimeout (connect retries with sleeps), so a late client is closed, not used.
    workers.execute(() -> {
      try {
        Candidate c = build(toOpen, slot);
        if (!built.complete(c)) {
          closeCandidate(c, "a client built too late (attempt " + thisAttempt + ")");
        }
      } catch (Throwable t) {
        clientGone(slot);
        if (!built.completeExceptionally(t)) {
          lateFailure(t, thisAttempt, Duration.ofNanos(System.nanoTime() - started));
        }
      }
    });
    built.orTimeout(rc.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((c, err) -> {
      boolean handed = onSupervisorThread(() -> attemptDone(seq, c, err, thisAttempt,
          Duration.ofNanos(System.nanoTime() - started)));
      if (!handed && c != null) {
        closeCandidate(c, "a client built while the supervisor closed");
      }
    });
  }

  /**
   * An attempt that timed out has failed after all. With Redisson's default retries a wrong password takes
   * longer than {@code verifyTimeout} to be refused, so its timeout said only "no verified client"; when the
   * late answer is a refusal of the config, it is handled as {@link #attemptDone} handles a prompt one:
   * terminal before any client connected, a slow retry after (a password rotation). Its RebuildFailed was
   * published at the timeout; an attempt running now is cancelled, its own RebuildFailed published.
   */
  private void lateFailure(Throwable t, int thisAttempt, Duration took) {
    Throwable cause = FailureClassifier.unwrap(t);
    FailureClassifier.Kind kind = FailureClassifier.classify(cause);
    if (!kind.isConfiguration()) {
      return; // the timeout said enough: the next attempt is on its way
    }
    onSupervisorThread(() -> {
      if (closed || live.rejection() instanceof Rejection.Terminal) {
        return;
      }
      cancelAttempt("the config was refused: " + kind);
      if (nextAttempt != null) {
        nextAttempt.cancel(false);
      }
      configurationRefused(kind, cause, live.generation(), thisAttempt, took, false);
    });
  }

  /** Drops the running attempt: its client is closed when it arrives. */
  private void cancelAttempt(String why) {
    if (attemptRunning) {
      log.debug("Redis {}: attempt {} no longer needed: {}", topology.endpoint(), attempt, why);
      Generation g = live.generation();
      // Every RebuildStarted ends in a RebuildSucceeded or a RebuildFailed.
      events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(),
          g == null ? 0 : g.number, attempt, Duration.ZERO, "no longer needed: " + why, Duration.ZERO));
      attemptSeq++;
      attemptRunning = false;
      attempt--; // it does not count towards the backoff
    }
  }

  /**
   * Runs on a worker: a new client from the same config (so DNS is resolved again), verified, with every
   * attachment opened on it. It gets a resolver factory of its own, so lookups stuck on behalf of an
   * older client cannot hold the permits this one needs.
   */
  private Candidate build(List<AttachmentImpl<?>> toOpen, Object slot) throws Exception {
    Config c = new Config(baseConfig);
    c.setAddressResolverGroupFactory(DnsWatch.ownFactory(baseConfig.getAddressResolverGroupFactory()));
    ConnectionWatch watch = new ConnectionWatch(baseConfig.getConnectionListener());
    c.setConnectionListener(watch);
    RedissonClient client = Redisson.create(c); // it copies the config itself
    liveClients.add(client);
    liveClients.remove(slot);
    Candidate candidate = new Candidate(client, watch);
    try {
      try {
        if (topology.isCluster()) {
          verifyAnyPrimary(client);
        } else {
          Probe.writable(client, rc.probeKey(), rc.verifyTimeout()).toCompletableFuture()
              .get(rc.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (ExecutionException e) {
        Throwable cause = FailureClassifier.unwrap(e);
        if (FailureClassifier.classify(cause) == FailureClassifier.Kind.READONLY) {
          throw new NotAPrimaryException("the node refuses writes (READONLY): it is a replica");
        }
        throw e;
      }
      candidate.address = topology.isSingle() ? client.getRedisNodes(RedisNodes.SINGLE).getInstance().getAddr() : null;
      for (AttachmentImpl<?> a : toOpen) {
        candidate.resources.put(a, a.openOn(client, rc.verifyTimeout()));
      }
      return candidate;
    } catch (Exception | Error e) {
      closeCandidate(candidate, "a rejected client");
      throw e;
    }
  }

  /**
   * A Cluster client is usable when some primary answers: one dead shard (the reason for a grace rebuild,
   * perhaps) must not fail every attempt; its keys are refused by its own counter.
   */
  private void verifyAnyPrimary(RedissonClient client) throws Exception {
    List<Probe.Ping> pings = Probe.clusterPrimaries(client, rc.verifyTimeout()).toCompletableFuture()
        .get(rc.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS);
    for (Probe.Ping p : pings) {
      if (p.failure() == null) {
        return;
      }
    }
    Throwable first = pings.isEmpty() ? new IllegalStateException("no primary known") : pings.get(0).failure();
    throw new ExecutionException("no primary of the cluster answers", first);
  }

  private void attemptDone(long seq, @Nullable Candidate c, @Nullable Throwable err, int thisAttempt,
      Duration took) {
    if (closed || seq != attemptSeq) {
      if (c != null) {
        closeCandidate(c, closed ? "a client built during close" : "a client for a superseded attempt");
      }
      return;
    }
    attemptRunning = false;
    if (c != null) {
      swapIn(c, thisAttempt, took);
      return;
    }
    Throwable cause = err == null ? new IllegalStateException("no client") : FailureClassifier.unwrap(err);
    if (cause instanceof TimeoutException) {
      cause = new TimeoutException("no verified client within " + rc.verifyTimeout().toMillis() + " ms");
    }
    Generation old = live.generation();
    long n = old == null ? 0 : old.number;
    FailureClassifier.Kind kind = FailureClassifier.classify(cause);
    if (kind.isConfiguration()) {
      configurationRefused(kind, cause, old, thisAttempt, took, true);
      return;
    }
    String what = cause instanceof NotAPrimaryException ? cause.getMessage() : Describe.describe(cause);
    if ((attemptPurpose == Purpose.SPECULATIVE || attemptPurpose == Purpose.REFRESH) && live.rejection() == null) {
      // The current client goes on serving, and the probe goes on deciding.
      if (attemptPurpose == Purpose.REFRESH) {
        log.info("Redis {}: no fresh client could be built ({}); the unavailable shard is down, not the client;"
            + " the current client serves the other shards", topology.endpoint(), what);
      } else {
        log.debug("Redis {}: speculative rebuild failed: {}", topology.endpoint(), what);
      }
      events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
          what, Duration.ZERO));
      attempt--;
      return;
    }
    if (old == null) {
      live = Live.rejecting(null, Rejection.unavailable("Redis " + topology.endpoint() + " is not connected yet ("
          + what + "); the call failed fast while the supervisor keeps trying", 0));
    }
    Duration wait = backoff.delay(thisAttempt);
    events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
        what, wait));
    firstOutcome.completeExceptionally(cause);
    if (thisAttempt == 1) {
      log.warn("Redis {}: rebuild attempt 1 failed: {}; retrying with backoff up to {} s", topology.endpoint(),
          what, rc.rebuildBackoffMax().toSeconds());
    } else {
      log.debug("Redis {}: rebuild attempt {} failed: {}; next in {} ms", topology.endpoint(), thisAttempt, what,
          wait.toMillis());
    }
    Purpose purpose = attemptPurpose;
    nextAttempt = supervisor.schedule(guarded(() -> {
      // With Sentinel or Cluster, Redisson may have recovered meanwhile (every primary answers again).
      if (topology.isSingle() || live.rejection() != null || live.generation() == null) {
        startAttempt(purpose, "retry after: " + what, true);
      }
    }), wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Wrong credentials or missing permissions: configuration, never a failover. */
  /** {@code publish}: whether this attempt's RebuildFailed is still to be published (not at a timeout). */
  private void configurationRefused(FailureClassifier.Kind kind, Throwable cause, @Nullable Generation old,
      int thisAttempt, Duration took, boolean publish) {
    long n = old == null ? 0 : old.number;
    String what = kind == FailureClassifier.Kind.AUTHENTICATION ? "authentication refused" : "permission refused";
    if (old == null) {
      // Never connected: the config is wrong, and retrying would only hammer Redis with bad logins.
      RuntimeException error = kind == FailureClassifier.Kind.AUTHENTICATION
          ? new RedisAuthenticationException(credentialsRefused() + "; not retrying", cause)
          : new RedisPermissionException("Redis " + topology.endpoint() + " refused the supervisor's probe ("
              + Describe.describe(cause) + "): " + probeNeeds() + "; not retrying", cause);
      live = Live.rejecting(null, new Rejection.Terminal(error));
      log.error("Redis {}: {}; the supervisor stops connecting until it is restarted with a corrected config",
          topology.endpoint(), what);
      if (publish) {
        events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
            what, Duration.ZERO));
      }
      firstOutcome.completeExceptionally(error);
      return;
    }
    // It worked before: a password rotation in progress, perhaps. Keep trying, slowly.
    log.error("Redis {}: {} on rebuild attempt {}; retrying every {} s", topology.endpoint(), what, thisAttempt,
        rc.rebuildBackoffMax().toSeconds());
    if (publish) {
      events.publish(new SupervisorEvent.RebuildFailed(clock.instant(), topology.endpoint(), n, thisAttempt, took,
          what, rc.rebuildBackoffMax()));
    }
    Purpose purpose = attemptPurpose;
    nextAttempt = supervisor.schedule(guarded(() -> startAttempt(purpose, "retry after: " + what, true)),
        rc.rebuildBackoffMax().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void swapIn(Candidate c, int thisAttempt, Duration took) {
    Generation old = live.generation();
    boolean wasOpen = live.rejection() != null;
    Map<InetSocketAddress, String> openShards = live.openShards();
    Generation g = new Generation(generations.incrementAndGet(), c.client, c.address);
    c.resources.forEach((a, r) -> {
      if (a.closed) {
        a.closeOn(c.client, r); // closed while the client was being built
      } else {
        g.putResource(a, r);
      }
    });
    c.watch.generation = g;
    // Closed first, then visible: a call admitted on the new generation must find the window empty.
    closeCounter();
    live = new Live(g, null, Map.of());
    shards.clear();
    if (old != null) {
      rebuilds.incrementAndGet();
    }
    Duration outage = outageStart == null ? null : Duration.between(outageStart, clock.instant());
    attempt = 0;
    probeFailures = 0;
    outageStart = null;
    replacing = false;
    cancel(graceCheck);
    cancel(shardGraceCheck);
    cancel(nextAttempt);
    if (old == null) {
      log.info("Redis {} connected: generation {} at {}", topology.endpoint(), g.number, g.describeAddress());
    } else {
      log.info("Redis {} available again: generation {} at {} replaced generation {} after {} attempt(s){}",
          topology.endpoint(), g.number, g.describeAddress(), old.number, thisAttempt,
          outage == null ? "" : ", outage " + outage.toMillis() + " ms");
    }
    events.publish(new SupervisorEvent.RebuildSucceeded(clock.instant(), topology.endpoint(), g.number, thisAttempt,
        took, g.describeAddress()));
    if (wasOpen) {
      events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), g.number,
          SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE, "generation " + g.number + " verified"));
    }
    for (InetSocketAddress shard : openShards.keySet()) {
      events.publish(new SupervisorEvent.ShardStateTransition(clock.instant(), topology.endpoint(), g.number,
          Describe.hostPort(shard), SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE,
          "generation " + g.number + " starts with a fresh view of the cluster"));
    }
    events.publish(new SupervisorEvent.GenerationChanged(clock.instant(), topology.endpoint(), g.number,
        old == null ? 0 : old.number, outage));
    firstOutcome.complete(null); // after the events: build() drains them before it returns
    for (Parked p : parked) {
      if (parked.remove(p)) {
        submit(p.call(), p.call()::retry);
      }
    }
    if (old != null) {
      retire(old, "generation " + old.number + " was replaced by generation " + g.number);
    }
    openMissingAttachments(g);
  }

  /** Ends every attempt in flight on {@code old} (reads go again), then closes its attachments and client. */
  private void retire(Generation old, String why) {
    for (Attempt<?> a : old.retire()) {
      if (a.claim()) {
        abandonElsewhere(a, why);
      }
    }
    closeClient(old.client, old.drainResources(), "replaced generation " + old.number);
  }

  private static <T> void abandon(Attempt<T> a, String why, boolean resendWrite) {
    a.call.abandoned(a, why, resendWrite);
  }

  private static <T> boolean resendableAfterLostConnection(Attempt<T> a) {
    return a.call.resendableAfterLostConnection(a);
  }

  private void probe() {
    Generation g = live.generation();
    if (closed || probeRunning || g == null) {
      return;
    }
    if (topology.isSingle() && live.rejection() != null) {
      return; // recovering: the rebuild attempts are the probe
    }
    openMissingAttachments(g);
    if (topology.isCluster()) {
      probeCluster(g);
      return;
    }
    long start = System.nanoTime();
    CompletableFuture<Void> answer;
    try {
      answer = Probe.writable(g.client, rc.probeKey(), rc.probeTimeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    probeRunning = true;
    answer.orTimeout(rc.probeTimeout().toMillis() + 100, TimeUnit.MILLISECONDS)
        .whenComplete((r, err) -> onSupervisorThread(() -> probeDone(g, err, start)));
  }

  private void probeDone(Generation g, @Nullable Throwable err, long startNanos) {
    probeRunning = false;
    if (closed || g != live.generation()) {
      return;
    }
    if (err == null) {
      probeFailures = 0;
      lastProbeOkNanos = System.nanoTime();
      recordSuccessInWindow();
      if (attemptRunning && attemptPurpose == Purpose.SPECULATIVE) {
        cancelAttempt("the node answers the probe again");
      }
      if (!topology.isSingle()) {
        recoveredInPlace(g);
      }
      return;
    }
    Throwable cause = FailureClassifier.unwrap(err);
    FailureClassifier.Kind kind = FailureClassifier.classify(cause);
    if (kind == FailureClassifier.Kind.READONLY) {
      if (topology.isSingle()) {
        replace(g, "the node at " + g.describeAddress() + " refuses writes (READONLY): it is a replica now");
      }
      return;
    }
    if (kind == FailureClassifier.Kind.PERMISSION) {
      if (!permissionLogged) {
        permissionLogged = true;
        log.error("Redis {}: the probe was refused ({}); {}", topology.endpoint(), Describe.describe(cause),
            probeNeeds());
      }
      return;
    }
    if (!kind.isCounted()) {
      log.debug("Redis {}: probe failed with a non-failover error: {}", topology.endpoint(), Describe.describe(cause));
      return;
    }
    probeFailures++;
    String what = Describe.describe(kind, cause);
    lastFailure = "probe " + probeFailures + ": " + what;
    recordFailureInWindow(cause);
    if (!topology.isSingle()) {
      if (probeFailures >= rc.probeFailuresToOpen() || isBreakerOpen()) {
        open(lastFailure); // calls fail fast while Redisson follows the topology
      }
      return;
    }
    // A response lost with a connection Redisson already replaced is a reset, not a silent node.
    boolean silent = kind == FailureClassifier.Kind.TIMEOUT && g.lastDisconnectNanos - startNanos < 0;
    if (probeFailures >= rc.probeFailuresToOpen() || isBreakerOpen()) {
      open(what + " (" + probeFailures + " probe(s) in a row)");
    } else if (silent) {
      // Either a pause (ours or the node's) or dead connections. Confirm at once and, meanwhile, build a
      // fresh client: if it answers while the old connections stay silent, they were dead.
      startAttempt(Purpose.SPECULATIVE, "probe timed out: " + what, true);
      supervisor.execute(guarded(this::probe));
    } else {
      // Confirm soon rather than one interval later, but not at once: a reset connection needs a moment
      // to reconnect, and a blip must not cost a rebuild.
      supervisor.schedule(guarded(this::probe), Math.max(1, rc.probeInterval().toMillis() / 2),
          TimeUnit.MILLISECONDS);
    }
  }

  // ---------------------------------------------------------------- Cluster: one counter per shard

  private void probeCluster(Generation g) {
    CompletableFuture<List<Probe.Ping>> pings;
    try {
      pings = Probe.clusterPrimaries(g.client, rc.probeTimeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      pings = CompletableFuture.failedFuture(e);
    }
    probeRunning = true;
    pings.orTimeout(rc.probeTimeout().toMillis() + 200, TimeUnit.MILLISECONDS)
        .whenComplete((r, err) -> onSupervisorThread(() -> clusterProbeDone(g, r, err)));
  }

  private void clusterProbeDone(Generation g, @Nullable List<Probe.Ping> pings, @Nullable Throwable err) {
    probeRunning = false;
    if (closed || g != live.generation()) {
      return;
    }
    if (pings == null) {
      Throwable cause = FailureClassifier.unwrap(Objects.requireNonNull(err));
      lastFailure = "probe: " + Describe.describe(FailureClassifier.classify(cause), cause);
      recordFailureInWindow(cause);
      if (isBreakerOpen()) {
        open(lastFailure);
      }
      return;
    }
    Set<InetSocketAddress> primaries = new HashSet<>();
    boolean all = !pings.isEmpty();
    for (Probe.Ping p : pings) {
      primaries.add(p.address());
      Shard s = shards.computeIfAbsent(p.address(), a -> new Shard());
      if (p.failure() == null) {
        s.probeFailures = 0;
        s.callFailures = 0;
        if (s.openedAt != null) {
          closeShard(g, p.address(), s, "the primary answers the probe again");
        }
        continue;
      }
      all = false;
      s.probeFailures++;
      if (s.openedAt == null && s.probeFailures >= rc.probeFailuresToOpen()) {
        FailureClassifier.Kind kind = FailureClassifier.classify(p.failure());
        openShard(g, p.address(), s, Describe.describe(kind, p.failure()) + " (" + s.probeFailures + " probe(s) in a row)");
      }
    }
    // A primary whose slots Redisson moved to its promoted replica no longer serves anything.
    rebuiltForShards.retainAll(primaries);
    for (InetSocketAddress gone : new ArrayList<>(shards.keySet())) {
      if (!primaries.contains(gone)) {
        Shard s = shards.remove(gone);
        if (s != null && s.openedAt != null) {
          closeShard(g, gone, s, "its slots moved to another primary");
        }
      }
    }
    if (all) {
      recordSuccessInWindow();
      recoveredInPlace(g);
    }
  }

  /** A call on a key of {@code shard} failed over: probe the primaries now rather than next interval. */
  private void shardCallFailed(Generation g, InetSocketAddress shard, String what) {
    if (closed || g != live.generation()) {
      return;
    }
    Shard s = shards.computeIfAbsent(shard, a -> new Shard());
    s.callFailures++;
    log.debug("Redis {}: a call on shard {} failed: {}", topology.endpoint(), Describe.hostPort(shard), what);
    if (s.openedAt == null && s.callFailures >= rc.minimumNumberOfCalls() && !probeRunning) {
      s.callFailures = 0;
      probe();
    }
  }

  private void openShard(Generation g, InetSocketAddress address, Shard s, String cause) {
    s.openedAt = clock.instant();
    String shard = Describe.hostPort(address);
    Map<InetSocketAddress, String> open = new HashMap<>(live.openShards());
    open.put(address, "Redis " + topology.endpoint() + ": the shard at " + shard + " is unavailable (" + cause
        + "); the call failed fast while Redisson follows the cluster (generation " + g.number + ")");
    live = new Live(g, live.rejection(), Map.copyOf(open));
    log.warn("Redis {}: shard {} unavailable (generation {}): {}; its keys fail fast, other shards serve on",
        topology.endpoint(), shard, g.number, cause);
    events.publish(new SupervisorEvent.ShardStateTransition(clock.instant(), topology.endpoint(), g.number, shard,
        SupervisorState.AVAILABLE, SupervisorState.UNAVAILABLE, cause));
    if (open.keySet().containsAll(shards.keySet())) {
      // Every primary is down: that is the whole cluster, and the main counter's business.
      open("every primary of the cluster is unavailable; last: " + shard + ": " + cause);
    } else if (rebuiltForShards.contains(address)) {
      log.info("Redis {}: shard {} is still unavailable on a rebuilt client: the shard is down, not the client;"
          + " waiting for the cluster to recover it", topology.endpoint(), shard);
    } else {
      scheduleShardGraceRefresh("shard " + shard + " still unavailable after "
          + rc.topologyGracePeriod().toSeconds() + " s");
    }
  }

  private void closeShard(Generation g, InetSocketAddress address, Shard s, String cause) {
    Duration outage = s.openedAt == null ? Duration.ZERO : Duration.between(s.openedAt, clock.instant());
    s.openedAt = null;
    rebuiltForShards.remove(address);
    Map<InetSocketAddress, String> open = new HashMap<>(live.openShards());
    open.remove(address);
    live = new Live(g, live.rejection(), Map.copyOf(open));
    if (open.isEmpty()) {
      cancel(shardGraceCheck);
      if (live.rejection() == null) {
        attempt = 0;
      }
    }
    String shard = Describe.hostPort(address);
    log.info("Redis {}: shard {} available again after {} ms: {}", topology.endpoint(), shard, outage.toMillis(),
        cause);
    events.publish(new SupervisorEvent.ShardStateTransition(clock.instant(), topology.endpoint(), g.number, shard,
        SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE, cause));
  }

  // ---------------------------------------------------------------- DNS and connections

  /**
   * The next DNS check: after {@code dnsCheckInterval}, or after 200 ms while Redis is unavailable or the
   * client is being replaced (it talks to a demoted node), when a moved name is what recovery waits for and
   * one query every 200 ms is nothing.
   */
  private void scheduleDnsCheck() {
    long interval = rc.dnsCheckInterval().toMillis();
    boolean waiting = live.rejection() != null || replacing;
    long delay = waiting ? Math.min(interval, OUTAGE_DNS_CHECK_MILLIS) : interval;
    supervisor.schedule(guarded(() -> {
      try {
        checkDns();
      } finally {
        if (!closed) {
          scheduleDnsCheck();
        }
      }
    }), delay, TimeUnit.MILLISECONDS);
  }

  private void checkDns() {
    DnsWatch watch = dns;
    if (closed || watch == null || watch.isPending()) {
      return;
    }
    watch.resolve().whenComplete((ips, err) -> onSupervisorThread(() -> dnsDone(watch, ips, err)));
  }

  private void dnsDone(DnsWatch watch, @Nullable Set<String> ips, @Nullable Throwable err) {
    watch.done();
    if (closed || ips == null || ips.isEmpty()) {
      if (err != null) {
        log.debug("Redis {}: resolving {} failed: {}", topology.endpoint(), watch.hostname(), Describe.describe(err));
      }
      return;
    }
    Set<String> previous = lastDnsAnswer;
    lastDnsAnswer = ips;
    boolean changed = previous != null && !previous.equals(ips);
    Generation g = live.generation();
    String moved = watch.hostname() + " now resolves to " + ips;
    if (attemptRunning) {
      if (changed && attemptSupersedable) {
        // The running attempt went to the old address and may hang there until verifyTimeout: supersede
        // it. Still single-flight: only the newest attempt's client can be swapped in.
        Purpose purpose = attemptPurpose == Purpose.SPECULATIVE ? Purpose.REPLACE : attemptPurpose;
        cancelAttempt(moved);
        startAttempt(purpose, moved, false);
      }
      return;
    }
    if (live.rejection() != null || g == null) {
      if (changed) {
        startAttempt(Purpose.RECOVER, moved, true); // do not wait out the backoff
      }
      return;
    }
    InetSocketAddress a = g.address;
    if (a != null && !ips.contains(a.getAddress().getHostAddress())) {
      if (changed) {
        cancel(nextAttempt); // new news: no waiting out the backoff of an earlier replacement
      }
      replace(g, moved + ", the client is connected to " + a.getAddress().getHostAddress());
    }
  }

  /**
   * Connections of {@code g} to {@code address} were lost at {@code atNanos}; Redisson reconnects them by
   * itself. Redisson says so per address, once until it reconnects, whichever connection died first (a
   * pub/sub one, perhaps): it cannot tell which calls were on the dead connection.
   */
  private void disconnected(Generation g, InetSocketAddress address, NodeType type, long atNanos) {
    if (closed || g != live.generation()) {
      return;
    }
    g.lastDisconnectNanos = atNanos;
    if (type == NodeType.MASTER) {
      // A response to a command written on a dead connection never comes, and Redisson waits out the
      // whole timeout for it. Reads sent before the loss go again now, on a live connection. Writes wait a
      // moment: those still unanswered then were on the dead connection (a live one answers at once).
      String why = "the connection to " + Describe.hostPort(address) + " was lost";
      for (Attempt<?> a : g.inFlight()) {
        if (a.startedNanos - atNanos < 0 && a.call.resendableInFlight() && a.claim()) {
          abandonElsewhere(a, why);
        }
      }
      // Writes wait a moment (the sweep): those still unanswered then were on the dead connection.
    }
    events.publish(new SupervisorEvent.ConnectionLost(clock.instant(), topology.endpoint(), g.number,
        Describe.hostPort(address), type.name()));
  }

  /** Per generation: hears Redisson's connection events, and passes them on to the application's listener. */
  @SuppressWarnings("deprecation") // Redisson 4.7's interface still declares the address-only methods abstract
  private final class ConnectionWatch implements ConnectionListener {
    private final @Nullable ConnectionListener delegate;
    volatile @Nullable Generation generation; // set at the swap: a candidate's events mean nothing

    ConnectionWatch(@Nullable ConnectionListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onConnect(InetSocketAddress addr) {
      if (delegate != null) {
        delegate.onConnect(addr);
      }
    }

    @Override
    public void onConnect(InetSocketAddress addr, NodeType nodeType) {
      if (delegate != null) {
        delegate.onConnect(addr, nodeType);
      }
    }

    @Override
    public void onDisconnect(InetSocketAddress addr) {
      onDisconnect(addr, NodeType.MASTER);
    }

    @Override
    public void onDisconnect(InetSocketAddress addr, NodeType nodeType) {
      if (delegate != null) {
        delegate.onDisconnect(addr, nodeType);
      }
      Generation g = generation;
      if (g != null && addr != null) {
        long at = System.nanoTime();
        onSupervisorThread(() -> disconnected(g, addr, nodeType, at));
      }
    }
  }

  // ---------------------------------------------------------------- attachments

  @Override
  public <R> Attachment<R> attach(String name, GenerationResource<R> resource) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(resource, "resource");
    AttachmentImpl<R> a = new AttachmentImpl<>(name, resource, topology.endpoint(), this::detach);
    attachments.add(a);
    onSupervisorThread(() -> {
      Generation g = live.generation();
      if (g != null) {
        openMissingAttachments(g);
      }
    });
    return a;
  }

  /** An attachment was closed: never opened again, and closed on the current generation. */
  private void detach(AttachmentImpl<?> a) {
    attachments.remove(a);
    onSupervisorThread(() -> {
      Generation g = live.generation();
      Object r = g == null ? null : g.removeResource(a);
      if (g != null && r != null) {
        workers.execute(() -> a.closeOn(g.client, r));
      }
    });
  }

  /** Opens, in the background, every attachment the current generation lacks (late ones, failed ones). */
  private void openMissingAttachments(Generation g) {
    for (AttachmentImpl<?> a : attachments) {
      if (g.resource(a) == null && a.opening.compareAndSet(false, true)) {
        workers.execute(() -> {
          try {
            Object r = a.openOn(g.client, rc.verifyTimeout());
            g.putResource(a, r);
            // Put first, then look: a retire or a detach that ran meanwhile either saw it (and closes it) or
            // is seen here; whoever removes it from the generation closes it, so it is closed exactly once.
            if ((g.isRetired() || a.closed) && g.removeResource(a) != null) {
              a.closeOn(g.client, r);
            }
          } catch (Exception e) {
            log.warn("Redis {}: opening {} on generation {} failed: {}; trying again with the next probe",
                topology.endpoint(), a.name, g.number, Describe.describe(e));
          } finally {
            a.opening.set(false);
          }
        });
      }
    }
  }

  // ---------------------------------------------------------------- the rest of the API

  @Override
  public SupervisorState state() {
    if (closed) {
      return SupervisorState.CLOSED;
    }
    Live l = live;
    if (l.rejection() != null || l.generation() == null) {
      return SupervisorState.UNAVAILABLE;
    }
    return SupervisorState.AVAILABLE;
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
  public Duration callTimeout() {
    return Duration.ofNanos(callTimeoutNanos);
  }

  @Override
  public long generation() {
    Generation g = live.generation();
    return g == null ? 0 : g.number;
  }

  @Override
  public String endpoint() {
    return topology.endpoint();
  }

  @Override
  public Set<String> unavailableShards() {
    Set<String> open = new TreeSet<>();
    live.openShards().keySet().forEach(a -> open.add(Describe.hostPort(a)));
    return open;
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
  public CallCounts callCounts() {
    return new CallCounts(succeeded.sum(), failed.sum(), rejected.sum(), overloaded.sum(), retried.sum());
  }

  @Override
  public long rebuildCount() {
    return rebuilds.get();
  }

  @Override
  public void requestRebuild(String reason) {
    Objects.requireNonNull(reason, "reason");
    onSupervisorThread(() -> {
      Generation g = live.generation();
      if (g == null) {
        startAttempt(Purpose.RECOVER, reason, true);
      } else if (live.rejection() != null) {
        startAttempt(Purpose.RECOVER, reason, true);
      } else {
        replace(g, reason);
      }
    });
  }

  /**
   * Stops everything within {@code closeTimeout}. The teardown runs on the supervisor thread, so it cannot
   * interleave with a swap; clients still being built are closed by their own workers when Redisson.create
   * returns (it is never interrupted: an interrupted create skips its own clean-up).
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + rc.closeTimeout().toNanos();
    Generation seen = live.generation(); // what to close should the supervisor thread not answer in time
    CompletableFuture<Generation> torn = new CompletableFuture<>();
    Runnable teardown = () -> torn.complete(teardown());
    if (!onSupervisorThreadEvenIfClosing(teardown)) {
      teardown.run();
    }
    closed = true;
    Generation g = seen;
    try {
      g = torn.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      log.warn("Redis {}: the supervisor thread did not stop in time; closing anyway", topology.endpoint());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    supervisor.shutdown();
    for (Runnable pending : retryTimer.shutdownNow()) {
      pending.run(); // a scheduled retry: it now fails fast ("closed") and completes its caller's stage
    }
    if (g != null) {
      closeClient(g.client, g.drainResources(), "generation " + g.number);
    }
    if (liveClients.isEmpty()) {
      allClientsClosed.complete(null);
    }
    // The shared threads go once the last client is shut down: now, or, if a build is still stuck in
    // Redisson.create, when its worker has closed what it made.
    CompletableFuture<Void> released = allClientsClosed.thenRun(this::releaseSharedThreads);
    awaitQuietly(released, deadline, "closing " + liveClients.size() + " client(s)");
    awaitTermination(supervisor, deadline);
    events.close(Math.max(0, deadline - System.nanoTime()));
    log.info("Redis {} supervisor closed after {} rebuild(s)", topology.endpoint(), rebuilds.get());
  }

  /** Starts the shared threads' shutdown; waits for none of it (close() is bounded by closeTimeout). */
  private void releaseSharedThreads() {
    if (dnsLoop != null) {
      dnsLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (sharedGroup != null) {
      sharedGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (sharedExecutor != null) {
      sharedExecutor.shutdown();
    }
    workers.shutdown();
  }

  /** A client made by {@link #build} (or its place while being made) was shut down, or never came to be. */
  private void clientGone(Object client) {
    if (liveClients.remove(client) && liveClients.isEmpty() && closing.get()) {
      allClientsClosed.complete(null);
    }
  }

  /** On the supervisor thread: nothing is admitted after this; returns the generation to close. */
  private @Nullable Generation teardown() {
    closed = true;
    Live l = live;
    Generation g = l.generation();
    long n = g == null ? 0 : g.number;
    live = Live.rejecting(null, Rejection.unavailable("Redis " + topology.endpoint() + ": the supervisor is closed", n));
    cancel(nextAttempt);
    cancel(graceCheck);
    cancel(shardGraceCheck);
    cancelAttempt("the supervisor closes");
    if (g != null) {
      RuntimeException closedUnder = new RedisUnavailableException("Redis " + topology.endpoint()
          + ": the supervisor was closed while the call was in flight", null, n, false);
      for (Attempt<?> a : g.retire()) {
        if (a.claim()) {
          g.untrack(a);
          submit(a.call, () -> a.call.fail(closedUnder));
        }
      }
    }
    for (Parked p : parked) {
      if (parked.remove(p)) {
        submit(p.call(), () -> p.call().fail(closedError()));
      }
    }
    events.publish(new SupervisorEvent.StateTransition(clock.instant(), topology.endpoint(), n,
        l.rejection() == null ? SupervisorState.AVAILABLE : SupervisorState.UNAVAILABLE, SupervisorState.CLOSED,
        "closed"));
    return g;
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
    return !closed && onSupervisorThreadEvenIfClosing(r);
  }

  private boolean onSupervisorThreadEvenIfClosing(Runnable r) {
    try {
      supervisor.execute(guarded(r));
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void closeCandidate(Candidate c, String what) {
    closeClient(c.client, Map.copyOf(c.resources), what);
  }

  /**
   * Closes what was opened on a client, then the client, on a worker, bounded by closeTimeout; a hang is
   * logged, never waited for.
   */
  private void closeClient(RedissonClient client, Map<AttachmentImpl<?>, Object> opened, String what) {
    Runnable close = () -> {
      long start = System.nanoTime();
      opened.forEach((a, r) -> a.closeOn(client, r));
      try {
        shutdownClient(client);
      } catch (RuntimeException e) {
        log.debug("Redis {}: closing {} failed: {}", topology.endpoint(), what, Describe.describe(e));
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (ms > 2 * rc.closeTimeout().toMillis()) {
        log.warn("Redis {}: closing {} took {} ms", topology.endpoint(), what, ms);
      }
    };
    try {
      workers.execute(close);
    } catch (RejectedExecutionException e) {
      close.run(); // closing: this thread does it
    }
  }

  private void shutdownClient(RedissonClient client) {
    try {
      client.shutdown(0, rc.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      clientGone(client);
    }
  }

  private void awaitQuietly(java.util.concurrent.Future<?> f, long deadline, String what) {
    try {
      f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("Redis {}: {} did not finish within the close timeout ({} ms); abandoned", topology.endpoint(), what,
          rc.closeTimeout().toMillis());
    } catch (ExecutionException e) {
      log.debug("Redis {}: {} failed: {}", topology.endpoint(), what, Describe.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** The servers part of a Redisson config, whichever mode it is in. */
  private static BaseConfig<?> serversConfig(Config c) {
    if (c.isClusterConfig()) {
      return c.useClusterServers();
    }
    if (c.isSentinelConfig()) {
      return c.useSentinelServers();
    }
    if (c.isSingleConfig()) {
      return c.useSingleServer();
    }
    try {
      return c.useReplicatedServers();
    } catch (IllegalStateException e) {
      return c.useMasterSlaveServers();
    }
  }

  /** A built, verified client with its attachments opened, not yet numbered or swapped in. */
  private static final class Candidate {
    final RedissonClient client;
    final ConnectionWatch watch;
    final Map<AttachmentImpl<?>, Object> resources = new java.util.concurrent.ConcurrentHashMap<>();
    volatile @Nullable InetSocketAddress address;

    Candidate(RedissonClient client, ConnectionWatch watch) {
      this.client = client;
      this.watch = watch;
    }
  }

  /** One Cluster primary's health, on the supervisor thread. */
  private static final class Shard {
    int probeFailures;
    int callFailures;
    @Nullable Instant openedAt;
  }

  /** A verified client that is not a primary: single-server writes must go to a primary. */
  static final class NotAPrimaryException extends Exception {
    private static final long serialVersionUID = 1L;

    NotAPrimaryException(String message) {
      super(message);
    }
  }
}
