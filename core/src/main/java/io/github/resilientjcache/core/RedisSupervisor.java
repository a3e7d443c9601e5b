package io.github.resilientjcache.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilientjcache.core.config.ConfigFile;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import io.github.resilientjcache.core.internal.DefaultRedisSupervisor;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Owns the current {@link RedissonClient} and replaces it when its Redis node died, froze, was demoted,
 * or moved to another address. Every Redis call goes through {@link #execute} or {@link #executeAsync};
 * the outcome feeds a failure counter (a resilience4j {@link CircuitBreaker}) whose opening starts a
 * rebuild, and an active probe notices trouble when the application is idle.
 *
 * <pre>{@code
 * try (RedisSupervisor redis = RedisSupervisor.builder(config).build()) {
 *   String v = redis.execute(Idempotence.READ, s -> s.client().<String>getBucket("k").getAsync());
 * }
 * }</pre>
 *
 * <p>A call never waits longer than its deadline, {@link #callTimeout()} (Redisson's {@code timeout}),
 * retries included. Calls in flight on a client that is replaced end at the moment of the swap: reads are
 * sent again on the new client, writes fail (the old node may still run them). {@link Idempotence} says
 * when a call may be sent again.
 *
 * <p>Never keep the {@code RedissonClient} a session gives: it is replaced on failover. Listen to
 * {@link #events()} to learn when (a new generation), and {@link #attach} what must exist on every client.
 */
public interface RedisSupervisor extends AutoCloseable {

  /** A builder for a supervisor of clients made from {@code redissonConfig} (copied; never modified). */
  static Builder builder(Config redissonConfig) {
    return new Builder(redissonConfig);
  }

  /** A builder from a config file: its Redisson part, and its {@code resilience:} section. */
  static Builder builder(ConfigFile file) {
    Objects.requireNonNull(file, "file");
    return new Builder(file.redissonConfig()).resilience(file.resilience());
  }

  /**
   * Runs {@code operation} and waits for its result, at most {@link #callTimeout()}. Reads and idempotent
   * writes are retried on failover signals with jittered backoff while the deadline allows.
   *
   * @throws RedisUnavailableException when Redis cannot serve the call (at once while recovering)
   * @throws RedisOverloadedException when the client or Redis is overloaded (not a failover)
   * @throws RedisAuthenticationException when Redis refuses the credentials
   * @throws RedisPermissionException when the Redis user may not run the command
   * @throws RuntimeException the operation's own application error (WRONGTYPE, a codec error), unchanged
   */
  <T> T execute(Idempotence idempotence, RedisOperation<T> operation);

  /**
   * Like {@link #execute(Idempotence, RedisOperation)} for a call on one key. On Redis Cluster the key
   * routes the outcome to its shard's own failure counter: a dead shard fails its keys fast and leaves
   * the other shards alone. Elsewhere the key changes nothing.
   */
  <T> T execute(Idempotence idempotence, String routingKey, RedisOperation<T> operation);

  /** Like {@link #execute(Idempotence, RedisOperation)}, without waiting; never blocks the caller. */
  <T> CompletionStage<T> executeAsync(Idempotence idempotence, RedisOperation<T> operation);

  /** Like {@link #execute(Idempotence, String, RedisOperation)}, without waiting. */
  <T> CompletionStage<T> executeAsync(Idempotence idempotence, String routingKey, RedisOperation<T> operation);

  /**
   * Opens {@code resource} on the current client (in the background) and on every new client before it
   * takes traffic, until the returned attachment is closed. Sessions hand it back through
   * {@link RedisSession#resource}.
   */
  <R> Attachment<R> attach(String name, GenerationResource<R> resource);

  SupervisorState state();

  /** The settings this supervisor runs with. */
  ResilienceConfig resilience();

  /** The deadline of every call, retries included: Redisson's {@code timeout} from the config. */
  Duration callTimeout();

  /** The name given to the builder, for logs and metrics. */
  String name();

  /** The current client's generation: 1 for the first client, +1 per rebuild. */
  long generation();

  /** The endpoint, for messages and logs: addresses only, never credentials. */
  String endpoint();

  /** On Redis Cluster, the primaries ({@code host:port}) whose calls fail fast now; elsewhere empty. */
  Set<String> unavailableShards();

  SupervisorEventPublisher events();

  /** The failure counter, for metrics and inspection. Do not transition it by hand. */
  CircuitBreaker circuitBreaker();

  /**
   * The per-call retry's settings (attempts, backoff). The supervisor drives it call by call and makes its
   * context only for calls that failed once, so its own metrics see only those: use {@link #callCounts()}.
   */
  Retry retry();

  /** How calls ended so far. */
  CallCounts callCounts();

  /** Successful rebuilds so far. */
  long rebuildCount();

  /**
   * Asks for a new client now (single flight; ignored while one is being built). Calls keep going to the
   * current client until the new one is verified. For a strong signal seen elsewhere.
   */
  void requestRebuild(String reason);

  /** Stops probes and rebuilds and closes the client; returns within {@code closeTimeout}. */
  @Override
  void close();

  /** Builds and starts a supervisor. */
  final class Builder {
    private final Config redissonConfig;
    private ResilienceConfig resilience = ResilienceConfig.defaults();
    private Clock clock = Clock.systemUTC();
    private String name = "redis";

    private Builder(Config redissonConfig) {
      this.redissonConfig = new Config(Objects.requireNonNull(redissonConfig, "redissonConfig"));
    }

    public Builder resilience(ResilienceConfig resilience) {
      this.resilience = Objects.requireNonNull(resilience, "resilience");
      return this;
    }

    /** The clock for event times and outage durations. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A short name for threads, logs and metrics (e.g. the cache manager's). */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Starts the supervisor and connects. If Redis is unreachable the supervisor starts
     * {@link SupervisorState#UNAVAILABLE} and keeps trying in the background, so an application can boot
     * during an outage.
     *
     * @throws RedisAuthenticationException if Redis refuses the credentials: a configuration error
     */
    public RedisSupervisor build() {
      return DefaultRedisSupervisor.start(redissonConfig, resilience, clock, name);
    }
  }
}
