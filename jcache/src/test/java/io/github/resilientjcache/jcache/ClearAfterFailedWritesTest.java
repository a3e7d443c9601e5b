package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.near;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.nio.file.Path;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache derived from what another records (Hibernate's query results and update timestamps): once a write
 * of the other fails during an outage, the derived cache answers nothing, and after recovery it has been
 * cleared for every manager, so no result computed before the failed write is served.
 */
class ClearAfterFailedWritesTest {

  @TempDir
  Path dir;

  private CacheManager manager(PrimaryEndpointRedis redis, String name) throws Exception {
    return Configs.primaryEndpointManager(redis, dir, name, """
        singleServerConfig:
          address: "%s"
        nearCache:
          enabled: true
          staleness: 1m
          onUnavailable: MISS
        caches:
          results:
            clearAfterFailedWrites: true
        """.formatted(redis.uri()));
  }

  @Test
  void aFailedWriteOfAnotherCache_clearsTheDerivedOneForEveryManager() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager a = manager(redis, "a");
        CacheManager b = manager(redis, "b")) {
      Cache<String, String> stamps = a.createCache("stamps", strings());
      Cache<String, String> results = a.createCache("results", strings());
      Cache<String, String> other = a.createCache("other", strings());
      Cache<String, String> resultsB = b.createCache("results", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(results).inSync() && near(resultsB).inSync());
      results.put("q", "computed before");
      other.put("k", "kept");
      assertThat(resultsB.get("q")).isEqualTo("computed before");
      assertThat(Configs.nearHolds(results, "q")).isTrue();
      redis.awaitReplicaInSync();

      redis.killPrimary();
      RedisSupervisor supervisor = a.unwrap(RedisSupervisor.class);
      assertThat(results.get("q")).as("served by the near cache while nothing failed").isEqualTo("computed before");
      stamps.put("t", "changed"); // fails: a journalled removal under MISS
      assertThat(stamps.unwrap(ResilientCache.class).journalSize()).as("the write failed").isEqualTo(1);
      assertThat(results.get("q")).as("after a failed write elsewhere, the derived cache answers nothing").isNull();
      assertThat(other.get("k")).as("a cache not so set keeps serving").isEqualTo("kept");
      assertThat(results.unwrap(ResilientCache.class).journal().overflowed()).as("a clear is owed").isTrue();

      redis.promoteReplica();
      redis.flipDns();
      await("A back, its journals replayed").atMost(Duration.ofSeconds(20))
          .until(() -> supervisor.generation() > 1 && supervisor.state() == SupervisorState.AVAILABLE
              && results.unwrap(ResilientCache.class).journalSize() == 0
              && !results.unwrap(ResilientCache.class).journal().overflowed()
              && stamps.unwrap(ResilientCache.class).journalSize() == 0);
      assertThat(results.get("q")).as("cleared in Redis").isNull();
      await("B told of the clear").atMost(Duration.ofSeconds(20)).until(() -> resultsB.get("q") == null);
      assertThat(other.get("k")).isEqualTo("kept");
      results.put("q", "computed after");
      assertThat(results.get("q")).isEqualTo("computed after");
    }
  }
}
