package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An entry processor under MISS that has run when Redis goes away, before its write: it is not run again,
 * its answer is returned, its change is journalled as a removal. One that meets Redis away itself gets that.
 */
class InvokeUnderMissTest {

  @TempDir
  Path dir;

  @Test
  void aProcessorThatRanBeforeTheWriteFailed_runsOnce_andItsAnswerStands() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager manager = Configs.primaryEndpointManager(redis, dir, "soft", """
            singleServerConfig:
              address: "%s"
            nearCache:
              onUnavailable: MISS
            """.formatted(redis.uri()))) {
      Cache<String, String> cache = manager.createCache("soft", strings());
      // Redis answers, the processor itself meets Redis away (another cache's call): that is what the caller
      // gets, and the processor is not run a second time as if this cache's Redis had failed.
      CacheUnavailableException inner = new CacheUnavailableException("another cache: Redis is away", null);
      AtomicInteger throwingRuns = new AtomicInteger();
      assertThatThrownBy(() -> cache.invoke("j", (entry, args) -> {
        throwingRuns.incrementAndGet();
        throw inner;
      })).as("what the processor itself threw").isSameAs(inner);
      assertThat(throwingRuns).hasValue(1);

      cache.put("k", "read");
      AtomicInteger runs = new AtomicInteger();
      String answer = cache.invoke("k", (entry, args) -> {
        if (runs.incrementAndGet() == 1) {
          redis.killPrimary(); // after the read, before the write
        }
        String seen = entry.getValue();
        entry.setValue("written");
        return seen;
      });
      assertThat(answer).as("the answer of the run that read Redis").isEqualTo("read");
      assertThat(runs).as("the processor ran once").hasValue(1);
      assertThat(cache.unwrap(ResilientCache.class).journalSize()).as("its write, journalled").isEqualTo(1);

    }
  }
}
