package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.near;
import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The near cache between two managers in one JVM, each with its own client: invalidation and repair. */
class NearCacheTest {

  @TempDir
  Path dir;

  private URI config(String name, String address) throws Exception {
    return config(name, address, "");
  }

  private URI config(String name, String address, String more) throws Exception {
    return Configs.file(dir, name, """
        singleServerConfig:
          address: "%s"
          timeout: 500
          retryAttempts: 1
        nearCache:
          enabled: true
        """.formatted(address) + more);
  }


  @Test
  void aWriteInOneManager_isSeenByTheOther_andReadsOfItsOwnWritesNeedNoRedis() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager a = provider().getCacheManager(config("a", redis.uri()), getClass().getClassLoader());
        CacheManager b = provider().getCacheManager(config("b", redis.uri()), getClass().getClassLoader())) {
      Cache<String, String> ca = a.createCache("users", strings());
      Cache<String, String> cb = b.createCache("users", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(ca).inSync() && near(cb).inSync());

      ca.put("k", "1");
      assertThat(ca.get("k")).isEqualTo("1");
      assertThat(near(ca).statistics().hits()).as("its own write, answered here").isEqualTo(1);
      // Read from Redis, then from its near cache (unless the put's own message crossed the first read:
      // then the value was not kept, and the next read keeps it).
      await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(cb.get("k")) && near(cb).statistics().hits() > 0);

      ca.put("k", "2");
      await().atMost(Duration.ofSeconds(5)).until(() -> "2".equals(cb.get("k")));
      ca.remove("k");
      await().atMost(Duration.ofSeconds(5)).until(() -> cb.get("k") == null);
      assertThat(near(cb).statistics().invalidationsApplied()).isEqualTo(2);

      cb.put("j", "x");
      assertThat(ca.get("j")).isEqualTo("x");
      cb.clear();
      await().atMost(Duration.ofSeconds(5)).until(() -> ca.get("j") == null);
    }
  }

  /**
   * One manager cut off alone (its proxy drops everything, connections stay open) while the other changes
   * and removes keys: it serves what it holds meanwhile, and after it is back none of the old values; the
   * reconciliation dropped exactly what changed.
   */
  @Test
  void aManagerCutOffAlone_afterRecovery_servesNoneOfTheOldValues_andDropsOnlyWhatChanged() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        CacheManager cut = provider().getCacheManager(config("cut", redis.uri()), getClass().getClassLoader());
        CacheManager other = provider().getCacheManager(config("other", redis.node().uri()),
            getClass().getClassLoader())) {
      Cache<String, String> c = cut.createCache("users", strings());
      Cache<String, String> o = other.createCache("users", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(c).inSync() && near(o).inSync());
      for (int i = 0; i < 100; i++) {
        o.put("k" + i, "old");
      }
      for (int i = 0; i < 100; i++) {
        assertThat(c.get("k" + i)).isEqualTo("old");
      }
      assertThat(near(c).size()).isEqualTo(100);

      redis.proxy().blackhole(); // new connections too: no rebuild gets through
      await().atMost(Duration.ofSeconds(10)).until(() -> !near(c).inSync());
      for (int i = 0; i < 10; i++) {
        o.put("k" + i, "new");
      }
      for (int i = 10; i < 15; i++) {
        o.remove("k" + i);
      }
      for (int i = 0; i < 100; i++) {
        assertThat(c.get("k" + i)).as("served from the near cache while cut off").isEqualTo("old");
      }
      assertThat(near(c).statistics().staleHits()).isEqualTo(100);

      redis.proxy().pass();
      await().atMost(Duration.ofSeconds(20)).until(() -> near(c).inSync());
      for (int i = 0; i < 15; i++) {
        assertThat(Configs.nearHolds(c, "k" + i)).as("changed while cut off: dropped").isFalse();
      }
      for (int i = 15; i < 100; i++) {
        assertThat(Configs.nearHolds(c, "k" + i)).as("unchanged: kept").isTrue();
      }
      // Each changed entry was dropped once: by the reconciliation, or by a message the proxy let through
      // late (bytes it held when it passed again).
      assertThat(near(c).statistics().partialDrops() + near(c).statistics().invalidationsApplied())
          .as("only what changed").isEqualTo(15);
      assertThat(near(c).statistics().fullReconciliations()).isZero();
      for (int i = 0; i < 10; i++) {
        assertThat(c.get("k" + i)).isEqualTo("new");
      }
      for (int i = 10; i < 15; i++) {
        assertThat(c.get("k" + i)).isNull();
      }
      for (int i = 15; i < 100; i++) {
        assertThat(c.get("k" + i)).isEqualTo("old");
      }
    }
  }

  /**
   * More failed writes than the journal holds: after recovery the whole cache is cleared in Redis, so no
   * JVM reads any old value, and the other JVM's near cache drops everything with the clear.
   */
  @Test
  void aJournalThatOverflows_clearsTheWholeCacheOnRecovery() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        CacheManager cut = provider().getCacheManager(config("cut-journal", redis.uri(), """
            caches:
              users:
                onUnavailable: MISS
                nearCache: { journalSize: 2 }
            """), getClass().getClassLoader());
        CacheManager other = provider().getCacheManager(config("other-journal", redis.node().uri()),
            getClass().getClassLoader())) {
      Cache<String, String> c = cut.createCache("users", strings());
      Cache<String, String> o = other.createCache("users", strings());
      await().atMost(Duration.ofSeconds(10)).until(() -> near(c).inSync() && near(o).inSync());
      for (int i = 0; i < 10; i++) {
        c.put("k" + i, "old");
        assertThat(o.get("k" + i)).isEqualTo("old");
      }
      redis.proxy().blackhole();
      for (int i = 0; i < 3; i++) {
        c.put("k" + i, "new"); // MISS: returns, journalled as a removal; the third overflows the journal
      }
      ResilientCache<?, ?> resilient = c.unwrap(ResilientCache.class);
      assertThat(resilient.journal().overflowed()).isTrue();

      redis.proxy().pass();
      await().atMost(Duration.ofSeconds(20)).until(() -> resilient.journal().isEmpty() && near(c).inSync());
      for (int i = 0; i < 10; i++) {
        assertThat(c.get("k" + i)).as("cleared in Redis").isNull();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> o.get("k9") == null);
      assertThat(resilient.journal().replays()).isEqualTo(1);
    }
  }

  /** Store-by-value with a near cache: no caller ever holds, or changes, the near cache's own instance. */
  @Test
  void aNearHit_handsOutTheCallersOwnCopy() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager m = provider().getCacheManager(config("by-value", redis.uri()), getClass().getClassLoader())) {
      Cache<String, byte[]> bytes = m.createCache("bytes", new javax.cache.configuration.MutableConfiguration<
          String, byte[]>().setTypes(String.class, byte[].class));
      Cache<String, Object> lists = m.createCache("lists", new javax.cache.configuration.MutableConfiguration<
          String, Object>().setTypes(String.class, Object.class));
      byte[] mine = {1, 2, 3};
      bytes.put("k", mine);
      mine[0] = 9;
      byte[] got = bytes.get("k");
      assertThat(got).containsExactly(1, 2, 3);
      got[1] = 9;
      assertThat(bytes.get("k")).containsExactly(1, 2, 3);

      java.util.List<String> list = new java.util.ArrayList<>(java.util.List.of("a"));
      lists.put("k", list);
      list.add("b");
      @SuppressWarnings("unchecked")
      java.util.List<String> read = (java.util.List<String>) lists.get("k");
      assertThat(read).containsExactly("a");
      read.clear();
      assertThat(lists.get("k")).isEqualTo(java.util.List.of("a"));
      assertThat(near(bytes).statistics().hits()).isEqualTo(2);
      assertThat(near(lists).statistics().hits()).isEqualTo(2);
    }
  }
}
