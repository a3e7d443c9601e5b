package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.util.concurrent.ThreadLocalRandom;
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

/**
 * get, put and remove of 1 KB values over 1,000 keys on a local {@code redis-server}: ours against
 * Redisson's own JCache and raw Redisson {@code RMap} / {@code RBucket} ({@link Contenders}). Latency at
 * one thread, throughput at 16:
 *
 * <pre>
 * ./mvnw -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar JCacheBenchmark -t 1 -bm avgt -tu us
 * java -jar benchmarks/target/benchmarks.jar JCacheBenchmark.get -t 16 -bm thrpt -tu s
 * redis-benchmark -p PORT -t get,set -c 16 -d 1024 -n 200000 -q      # the ceiling, on the same machine
 * </pre>
 *
 * {@link CommandCost} counts the commands and bytes each operation costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JCacheBenchmark {

  static final int KEYS = 1_000;
  static final int VALUE_BYTES = 1_024;

  @Param({Contenders.RESILIENT, Contenders.REDISSON_JCACHE, Contenders.RMAP, Contenders.RBUCKET})
  public String contender;

  private StandaloneRedis redis;
  private Contenders.Store store;
  private String[] keys;
  private byte[] value;

  @Setup(Level.Trial)
  public void start() {
    redis = RedisTopology.standalone();
    store = Contenders.open(contender, redis);
    keys = new String[KEYS];
    value = new byte[VALUE_BYTES];
    ThreadLocalRandom.current().nextBytes(value);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      store.put(keys[i], value);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    redis.close();
  }

  private String anyKey() {
    return keys[ThreadLocalRandom.current().nextInt(KEYS)];
  }

  @Benchmark
  public byte[] get() {
    return store.get(anyKey());
  }

  @Benchmark
  public void put() {
    store.put(anyKey(), value);
  }

  /** Removes a key and puts it back: every remove finds an entry. Reported per remove+put pair. */
  @Benchmark
  public boolean removeAndPut() {
    String key = anyKey();
    boolean removed = store.remove(key);
    store.put(key, value);
    return removed;
  }
}
