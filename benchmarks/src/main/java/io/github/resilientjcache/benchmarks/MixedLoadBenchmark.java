package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 90 % get and 10 % put of 1 KB values over 10 000 keys drawn from a Zipf distribution (exponent 1: a few
 * keys are hot, as in most caches), 16 threads: ours with its near cache, ours without, and Redisson's
 * own JCache.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar MixedLoadBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(16)
@Fork(1)
public class MixedLoadBenchmark {

  static final int KEYS = 10_000;
  static final int VALUE_BYTES = 1_024;
  /** Draws, precomputed: a power of two, indexed by a random int. */
  static final int DRAWS = 1 << 20;

  @Param({Contenders.RESILIENT_NEAR, Contenders.RESILIENT, Contenders.REDISSON_JCACHE})
  public String contender;

  private StandaloneRedis redis;
  private Contenders.Store store;
  private String[] keys;
  private int[] draws;
  private byte[] value;

  @Setup(Level.Trial)
  public void start() {
    redis = RedisTopology.standalone();
    store = Contenders.open(contender, redis);
    keys = new String[KEYS];
    value = new byte[VALUE_BYTES];
    new Random(7).nextBytes(value);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
      store.put(keys[i], value);
    }
    draws = zipf(KEYS, 1.0, DRAWS, new Random(42));
  }

  /** {@code n} draws of ranks 0..keys-1 with probability proportional to 1 / (rank + 1)^exponent. */
  static int[] zipf(int keys, double exponent, int n, Random random) {
    double[] cumulative = new double[keys];
    double sum = 0;
    for (int i = 0; i < keys; i++) {
      sum += 1 / Math.pow(i + 1, exponent);
      cumulative[i] = sum;
    }
    int[] out = new int[n];
    for (int d = 0; d < n; d++) {
      double u = random.nextDouble() * sum;
      int lo = 0;
      int hi = keys - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cumulative[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      out[d] = lo;
    }
    return out;
  }

  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    redis.close();
  }

  @Benchmark
  public Object readMostly() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String k = keys[draws[r.nextInt(DRAWS)]];
    if (r.nextInt(10) == 0) {
      store.put(k, value);
      return k;
    }
    return store.get(k);
  }
}
