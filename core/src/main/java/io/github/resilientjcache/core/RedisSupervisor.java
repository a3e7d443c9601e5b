package io.github.resilientjcache.core;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.github.resilientjcache.core.config.ConfigFile;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import io.github.resilientjcache.core.internal.DefaultRedisSupervisor;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
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
 *   String v = redis.execute(Idempotence.IDEMPOTENT, c -> c.<String>getBucket("k").get());
 * }
 * }</pre>
 *
 * <p>Never keep the {@code RedissonClient} an operation is given: it is replaced on failover. Listen to
 * {@link #events()} to learn when (a new generation).
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
   * Runs {@code operation} on the current client, on the calling thread. Idempotent operations are
   * retried on failover signals with jittered backoff.
   *
   * @throws RedisUnavailableException when Redis cannot serve the call (fails fast while recovering)
   * @throws RedisAuthenticationException when Redis refuses the credentials
   * @throws RuntimeException the operation's own application error (WRONGTYPE, a codec error), unchanged
   */
  <T> T execute(Idempotence idempotence, Function<? super RedissonClient, ? extends T> operation);

  /** Like {@link #execute} for an asynchronous operation; never blocks the calling thread. */
  <T> CompletionStage<T> executeAsync(Idempotence idempotence,
      Function<? super RedissonClient, ? extends CompletionStage<T>> operation);

  SupervisorState state();

  /** The settings this supervisor runs with. */
  ResilienceConfig resilience();

  /** The name given to the builder, for logs and metrics. */
  String name();

  /** The current client's generation: 1 for the first client, +1 per rebuild. */
  long generation();

  /** The endpoint, for messages and logs: addresses only, never credentials. */
  String endpoint();

  SupervisorEventPublisher events();

  /** The failure counter, for metrics and inspection. Do not transition it by hand. */
  CircuitBreaker circuitBreaker();

  /** The per-call retry of idempotent operations, for metrics and inspection. */
  Retry retry();

  /** Successful rebuilds so far. */
  long rebuildCount();

  /** Asks for a rebuild now (single flight; ignored while one runs). For a strong signal seen elsewhere. */
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
