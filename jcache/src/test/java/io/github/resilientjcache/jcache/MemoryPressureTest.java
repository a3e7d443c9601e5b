package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.nio.file.Path;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis at its {@code maxmemory} with {@code noeviction}: writes are refused with OOM. The cache says so clearly,
 * the supervisor does not take it for an outage (no rebuild), reads go on, and under MISS no JVM reads the
 * value the refused write replaced.
 */
class MemoryPressureTest {

  @TempDir
  Path dir;

  @Test
  void writesRefusedWithOom_areAClearErrorNotAFailover_andReadsGoOn() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(Configs.file(dir, "oom", Configs.server(redis) + """
            nearCache:
              enabled: true
            caches:
              strict:
                nearCache: false      # its reads go to Redis
              soft:
                onUnavailable: MISS
            """), getClass().getClassLoader())) {
      Cache<String, String> strict = manager.createCache("strict", strings());
      Cache<String, String> soft = manager.createCache("soft", strings());
      strict.put("kept", "old");
      soft.put("replaced", "old");
      RedisSupervisor supervisor = manager.unwrap(RedisSupervisor.class);
      long rebuilds = supervisor.rebuildCount();

      redis.node().call("CONFIG", "SET", "maxmemory-policy", "noeviction");
      // One byte: whatever the server uses now, every write that needs memory is refused, however its use moves.
      redis.node().call("CONFIG", "SET", "maxmemory", "1");
      String big = "x".repeat(64 * 1024);
      assertThatThrownBy(() -> strict.put("fill", big)).isInstanceOf(CacheException.class)
          .hasMessageContaining("cache strict").hasMessageContaining("out of memory").hasMessageContaining("maxmemory")
          .hasMessageContaining("not a failover");

      int refused = 0;
      for (int i = 0; i < 50; i++) { // enough to open the failure counter, were they counted
        try {
          strict.put("more-" + i, big);
        } catch (CacheException e) {
          refused++;
        }
      }
      assertThat(refused).isEqualTo(50);
      assertThat(strict.get("kept")).as("reads of Redis go on").isEqualTo("old");
      soft.put("replaced", "new"); // refused by Redis; under MISS the old value must not stay readable
      assertThat(soft.get("replaced")).as("no JVM reads the value the refused write replaced").isNull();
      assertThat(supervisor.state()).as("Redis answered: no outage").isEqualTo(SupervisorState.AVAILABLE);
      assertThat(supervisor.rebuildCount()).as("no rebuild").isEqualTo(rebuilds);

      redis.node().call("CONFIG", "SET", "maxmemory", "0");
      strict.put("after", "ok");
      assertThat(strict.get("after")).isEqualTo("ok");
    }
  }
}
