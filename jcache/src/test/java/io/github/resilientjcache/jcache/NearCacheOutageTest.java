package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.near;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A frozen primary, then the replica promoted and the DNS name flipped: near-cached keys are read through
 * all of it with no error and no wait for Redis; misses and writes follow each cache's onUnavailable; and
 * after recovery no manager reads a value whose write or remove failed during the outage.
 */
class NearCacheOutageTest {

  private static final Logger log = LoggerFactory.getLogger(NearCacheOutageTest.class);
  private static final int KEYS = 100;

  @TempDir
  Path dir;

  private CacheManager manager(PrimaryEndpointRedis redis, String name) throws Exception {
    return Configs.primaryEndpointManager(redis, dir, name, """
        singleServerConfig:
          address: "%s"
        nearCache:
          enabled: true
          staleness: 1m
        caches:
          soft:
            onUnavailable: MISS
        """.formatted(redis.uri()));
  }


  @Test
  void frozenPrimaryThenDnsFlip_nearCachedKeysServedThroughout_andNoFailedWriteComesBack() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager a = manager(redis, "a");
        CacheManager b = manager(redis, "b")) {
      Cache<String, String> soft = a.createCache("soft", strings());
      Cache<String, String> strict = a.createCache("strict", strings());
      Cache<String, String> softB = b.createCache("soft", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(soft).inSync() && near(strict).inSync()
          && near(softB).inSync());
      for (int i = 0; i < KEYS; i++) {
        soft.put("k" + i, "old");
        strict.put("k" + i, "old");
      }
      for (String w : new String[] {"w1", "w2", "w3", "w4"}) { // the keys written during the outage
        soft.put(w, "old");
        strict.put(w, "old");
        assertThat(softB.get(w)).isEqualTo("old");
      }
      assertThat(softB.get("k4")).isEqualTo("old");
      redis.awaitReplicaInSync();
      RedisSupervisor supervisor = a.unwrap(RedisSupervisor.class);
      long generation = supervisor.generation();

      redis.freezePrimary();
      CompletableFuture<Void> failover = CompletableFuture.runAsync(() -> {
        await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
        redis.promoteReplica();
        redis.flipDns();
      });
      long slowest = 0;
      long reads = 0;
      // Until the failover is done and the new client verified: every near-cached key, over and over.
      while (!(failover.isDone() && supervisor.generation() > generation
          && supervisor.state() == SupervisorState.AVAILABLE)) {
        for (int i = 0; i < KEYS; i++) {
          long start = System.nanoTime();
          assertThat(soft.get("k" + i)).isEqualTo("old");
          assertThat(strict.get("k" + i)).isEqualTo("old");
          slowest = Math.max(slowest, System.nanoTime() - start);
          reads += 2;
        }
        if (reads == 2 * KEYS) { // once, during the outage
          assertThat(soft.get("missing")).as("a miss under MISS").isNull();
          assertThatThrownBy(() -> strict.get("missing")).as("a miss under FAIL")
              .isInstanceOf(CacheUnavailableException.class).hasMessageContaining("cache strict");
          long writeStart = System.nanoTime();
          assertThatThrownBy(() -> strict.put("w1", "new")).isInstanceOf(CacheUnavailableException.class);
          long failFast = System.nanoTime() - writeStart;
          soft.put("w2", "new"); // returns: counts as a removal of w2
          soft.remove("w3");
          log.info("during the outage: a write under FAIL failed in {} ms", TimeUnit.NANOSECONDS.toMillis(failFast));
          // Spring's get(key, valueLoader): a processor that loads on a miss; it answers, its change is dropped.
          java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
          String loaded = soft.invoke("w4", (entry, args) -> {
            runs.incrementAndGet();
            if (!entry.exists()) {
              entry.setValue("loaded");
            }
            return entry.getValue();
          });
          assertThat(loaded).as("an invoke under MISS runs as on a miss").isEqualTo("loaded");
          assertThat(runs).as("the processor ran once").hasValue(1);
          assertThat(soft.unwrap(ResilientCache.class).journalSize()).isEqualTo(3);
          assertThat(soft.get("w2")).as("no near entry claims what Redis may not have").isNull();
          assertThatThrownBy(() -> strict.get("w1")).isInstanceOf(CacheUnavailableException.class);
        }
      }
      failover.join();
      log.info("through the outage: {} reads of near-cached keys, 0 errors, the slowest {} ms (target 50 ms)", reads,
          TimeUnit.NANOSECONDS.toMicros(slowest) / 1000.0);
      assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("no read waited for Redis").isLessThan(200);
      assertThat(near(soft).statistics().staleHits()).isGreaterThan(0);

      await().atMost(Duration.ofSeconds(20)).until(() -> soft.unwrap(ResilientCache.class).journalSize() == 0
          && strict.unwrap(ResilientCache.class).journalSize() == 0 && near(soft).inSync() && near(softB).inSync());
      assertThat(soft.get("w2")).as("its failed put replayed as a removal").isNull();
      assertThat(soft.get("w3")).as("its failed remove replayed").isNull();
      assertThat(soft.get("w4")).as("an invoke under MISS journals its key: the old value is gone").isNull();
      assertThat(strict.get("w1")).as("a write that threw, removed too").isNull();
      await().atMost(Duration.ofSeconds(5)).until(() -> softB.get("w3") == null && softB.get("w2") == null
          && softB.get("w4") == null);
      assertThat(softB.get("k4")).isEqualTo("old");
      assertThat(soft.get("k5")).isEqualTo("old");
    }
  }
}
