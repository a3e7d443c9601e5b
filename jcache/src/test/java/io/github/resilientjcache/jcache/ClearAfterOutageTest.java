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
 * A cache derived from what others record (Hibernate's query results and update timestamps), set to
 * {@code clearAfterOutage}: through an outage it answers nothing, and after it each manager has cleared it
 * before serving from it again, so no result computed before a write Redis never saw is served.
 */
class ClearAfterOutageTest {

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
            clearAfterOutage: true
          late:
            clearAfterOutage: true
        """.formatted(redis.uri()));
  }

  @Test
  void anOutage_clearsTheDerivedCacheForEveryManager_beforeItServesAgain() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager a = manager(redis, "a");
        CacheManager b = manager(redis, "b")) {
      Cache<String, String> stamps = a.createCache("stamps", strings());
      Cache<String, String> results = a.createCache("results", strings());
      Cache<String, String> other = a.createCache("other", strings());
      Cache<String, String> stampsB = b.createCache("stamps", strings());
      Cache<String, String> resultsB = b.createCache("results", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(results).inSync() && near(resultsB).inSync()
          && near(other).inSync());
      results.put("q", "computed before");
      other.put("k", "kept");
      assertThat(resultsB.get("q")).isEqualTo("computed before");
      assertThat(Configs.nearHolds(results, "q")).isTrue();
      redis.awaitReplicaInSync();

      redis.killPrimary();
      RedisSupervisor supA = a.unwrap(RedisSupervisor.class);
      RedisSupervisor supB = b.unwrap(RedisSupervisor.class);
      await("both managers find Redis away").atMost(Duration.ofSeconds(10)).until(() -> {
        stamps.get("probe"); // a miss under MISS, each one a failed call for the supervisor to count
        stampsB.get("probe");
        return supA.state() == SupervisorState.UNAVAILABLE && supB.state() == SupervisorState.UNAVAILABLE;
      });
      assertThat(results.get("q")).as("a derived cache answers nothing through an outage").isNull();
      assertThat(resultsB.get("q")).isNull();
      assertThat(other.get("k")).as("a cache not so set serves from its near cache").isEqualTo("kept");
      stamps.put("t", "changed"); // fails: a journalled removal under MISS
      assertThat(stamps.unwrap(ResilientCache.class).journalSize()).as("the write failed").isEqualTo(1);
      Cache<String, String> late = a.createCache("late", strings());
      assertThat(late.unwrap(ResilientCache.class).journal().overflowed())
          .as("a derived cache made during the outage owes a clear too").isTrue();

      redis.promoteReplica();
      redis.flipDns();
      await("both managers on the new primary").atMost(Duration.ofSeconds(20))
          .until(() -> supA.generation() > 1 && supA.state() == SupervisorState.AVAILABLE
              && supB.generation() > 1 && supB.state() == SupervisorState.AVAILABLE);
      // No waiting for the clears: a read of a derived cache waits for its own manager's clear.
      assertThat(results.get("q")).as("A cleared it before serving").isNull();
      assertThat(resultsB.get("q")).as("B cleared it before serving").isNull();
      assertThat(other.get("k")).isEqualTo("kept");
      assertThat(stamps.get("t")).as("the failed write replayed as a removal").isNull();
      // A put lands in the epoch its manager knows; once both clears are heard, it stays.
      await("the derived cache usable again").atMost(Duration.ofSeconds(10)).until(() -> {
        results.put("q", "computed after");
        return "computed after".equals(results.get("q"));
      });
    }
  }
}
