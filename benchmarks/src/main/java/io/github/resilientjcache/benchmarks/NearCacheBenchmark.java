package io.github.resilientjcache.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.net.URI;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
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
 * A near cache hit through {@code javax.cache.Cache.get} against a raw Caffeine {@code getIfPresent} of
 * the same String key and String value (an immutable value: the near cache shares its instance, as by
 * reference), over 1 000 keys, all held:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar NearCacheBenchmark -t 1
 * </pre>
 *
 * For a 1 KB {@code byte[]} (read back from its bytes on every hit: store-by-value) against a remote get,
 * {@code JCacheBenchmark.get -p contender=resilient-jcache-near,resilient-jcache}; for a Zipf mix,
 * {@link MixedLoadBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NearCacheBenchmark {

  static final int KEYS = 1_000;

  @Param({"near-cache", "caffeine"})
  public String contender;

  private StandaloneRedis redis;
  private CacheManager manager;
  private javax.cache.Cache<String, String> cache;
  private Cache<String, String> caffeine;
  private String[] keys;

  @Setup(Level.Trial)
  public void start() {
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = "key-" + i;
    }
    if (contender.equals("caffeine")) {
      caffeine = Caffeine.newBuilder().maximumSize(10_000).build();
      for (String k : keys) {
        caffeine.put(k, "value of " + k);
      }
      return;
    }
    redis = RedisTopology.standalone();
    Properties props = new Properties();
    props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, Contenders.config(redis));
    props.put(ResilientCachingProvider.NEAR_CACHE_PROPERTY, "true");
    manager = Caching.getCachingProvider(ResilientCachingProvider.NAME)
        .getCacheManager(URI.create("bench:near"), getClass().getClassLoader(), props);
    cache = manager.createCache("near", new MutableConfiguration<String, String>().setTypes(String.class,
        String.class));
    for (String k : keys) {
      cache.put(k, "value of " + k);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (manager != null) {
      manager.close();
      redis.close();
    }
  }

  @Benchmark
  public String get() {
    String k = keys[ThreadLocalRandom.current().nextInt(KEYS)];
    return caffeine != null ? caffeine.getIfPresent(k) : cache.get(k);
  }
}
