package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisOperation;
import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.PlainOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * What a call through the supervisor costs on top of the same call on a plain {@code RedissonClient}, the
 * alternative a user would pick: a GET of a 100-byte value from a local {@code redis-server}, and the
 * supervisor's own bookkeeping alone (an operation that needs no Redis: admission, tracking, counting).
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar SupervisorOverhead -t 1
 * java -jar benchmarks/target/benchmarks.jar SupervisorOverhead -t 16
 * java -jar benchmarks/target/benchmarks.jar SupervisorOverheadBenchmark.bookkeeping -t 16 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SupervisorOverheadBenchmark {

  /** {@code redisson}: the plain client; {@code supervisor}: the same client, called through the supervisor. */
  @Param({"redisson", "supervisor"})
  public String client;

  private StandaloneRedis redis;
  private RedissonClient plain;
  private RedisSupervisor supervisor;
  private RBucket<String> bucket;
  private final RedisOperation<String> read = s -> s.client()
      .<String>getBucket(s.options(PlainOptions.name("bench").codec(StringCodec.INSTANCE))).getAsync();
  private final RedisOperation<String> noRedis = s -> CompletableFuture.completedFuture("v");
  private final CompletableFuture<String> done = CompletableFuture.completedFuture("v");

  @Setup(Level.Trial)
  public void start() {
    redis = RedisTopology.standalone();
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress(redis.uri()).setTimeout(1_000).setRetryAttempts(1)
        .setConnectionMinimumIdleSize(16).setConnectionPoolSize(32);
    redis.node().call("SET", "bench", "x".repeat(100));
    if (client.equals("redisson")) {
      plain = Redisson.create(config);
      bucket = plain.getBucket("bench", StringCodec.INSTANCE);
    } else {
      supervisor = RedisSupervisor.builder(config).name("bench").build();
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (plain != null) {
      plain.shutdown(0, 2, TimeUnit.SECONDS);
    }
    if (supervisor != null) {
      supervisor.close();
    }
    redis.close();
  }

  /** A GET round trip to Redis, as an application makes it. */
  @Benchmark
  public String get() {
    return client.equals("redisson") ? bucket.get() : supervisor.execute(Idempotence.READ, "bench", read);
  }

  /** The supervisor's own cost: an operation that completes at once, against returning it directly. */
  @Benchmark
  public String bookkeeping() {
    return client.equals("redisson") ? done.join() : supervisor.execute(Idempotence.READ, noRedis);
  }
}
