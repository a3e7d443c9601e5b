package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two JVM processes, each with a near cache: each write in this one is seen by the other, which reads the
 * key from its near cache in a loop. The delay from the start of {@code put} here to the other JVM's first
 * read of the new value is reported (p50, p99, max over 10 000 writes) in the log and in
 * {@code target/near-cache-invalidation.txt}; nothing asserts on it.
 */
class TwoJvmInvalidationTest {

  private static final Logger log = LoggerFactory.getLogger(TwoJvmInvalidationTest.class);
  private static final int WARM_UP = 1_000;
  private static final int WRITES = 10_000;

  @TempDir
  Path dir;

  @Test
  void eachWriteInOneJvm_isSeenByTheOtherJvmsNearCache() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      URI config = Configs.file(dir, "two-jvms", Configs.server(redis) + """
          nearCache:
            enabled: true
          """);
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Process other = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          InvalidationWatcher.class.getName(), config.toString(), "delay", "key")
          .redirectError(dir.resolve("other-jvm.err").toFile()).start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(other.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.equals("ready") || line.startsWith("seen ")) {
              lines.add(line);
            }
          }
        } catch (Exception e) {
          lines.add("ended: " + e);
        }
      }, "other-jvm-stdout");
      reader.setDaemon(true);
      reader.start();
      try (CacheManager manager = provider().getCacheManager(config, getClass().getClassLoader())) {
        Cache<String, String> cache = manager.createCache("delay", strings());
        assertThat(lines.poll(60, TimeUnit.SECONDS)).as("the other JVM started").isEqualTo("ready");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> cache.unwrap(ResilientCache.class).othersListen()); // our writes publish to it
        long[] delays = new long[WRITES];
        for (int i = 0; i < WARM_UP + WRITES; i++) {
          long start = System.nanoTime();
          cache.put("key", Integer.toString(i));
          String seen = lines.poll(10, TimeUnit.SECONDS);
          long delay = System.nanoTime() - start;
          assertThat(seen).as("write %d, seen by the other JVM", i).isEqualTo("seen " + i);
          if (i >= WARM_UP) {
            delays[i - WARM_UP] = delay;
          }
        }
        Arrays.sort(delays);
        String report = String.format("near cache invalidation, put here -> first read of the new value in the"
            + " other JVM, %d writes: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", WRITES, delays[WRITES / 2] / 1e6,
            delays[WRITES * 99 / 100] / 1e6, delays[WRITES - 1] / 1e6);
        log.info(report.strip());
        Files.writeString(Path.of("target", "near-cache-invalidation.txt"), report);
      } finally {
        other.getOutputStream().close();
        if (!other.waitFor(10, TimeUnit.SECONDS)) {
          other.destroyForcibly();
        }
      }
    }
  }
}
