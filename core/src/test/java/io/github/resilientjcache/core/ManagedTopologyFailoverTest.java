package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.testkit.RedisNode;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * With Sentinel and Cluster, Redisson follows the topology itself. The supervisor must let it: the
 * application recovers, and the number of rebuilds (each one needless here) is reported and must be zero.
 */
class ManagedTopologyFailoverTest {

  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(40);

  @Test
  void sentinelFailover_applicationRecovers_withoutRebuilds() {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      try (var redis = RedisTopology.sentinel();
          var s = RedisSupervisor.builder(RedisConfigs.sentinel(redis)).name("sentinel").build()) {
        Writes.set(s, "k", "before");
        RedisNode old = redis.primary();
        long kill = System.nanoTime();
        redis.killPrimary();

        Duration recovery = Writes.untilWriteSucceedsAfter(s, kill, Duration.ofMillis(200), RECOVERY_LIMIT);
        assertThat(redis.primary()).isNotSameAs(old);
        assertThat(Writes.get(s, "probe-write")).isNotNull();
        assertThat(s.rebuildCount()).as("rebuilds: Redisson follows Sentinel by itself").isZero();
        FailoverReport.record("5 sentinel: kill -> first write", recovery, s.rebuildCount());
      }
    }
  }

  @Test
  void clusterFailover_applicationRecovers_withoutRebuilds() {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      try (var redis = RedisTopology.cluster();
          var s = RedisSupervisor.builder(RedisConfigs.cluster(redis)).name("cluster").build()) {
        // {06S} hashes to slot 0: the key lives on the primary we kill.
        Writes.set(s, "{06S}k", "before");
        RedisNode owner = redis.primaryForSlot(0);
        long kill = System.nanoTime();
        owner.kill();

        Duration recovery = Writes.untilWriteSucceedsAfter(s, kill, Duration.ofMillis(200), RECOVERY_LIMIT,
            "{06S}probe-write");
        assertThat(Writes.get(s, "{06S}k")).isEqualTo("before");
        assertThat(s.rebuildCount()).as("rebuilds: Redisson follows the cluster by itself").isZero();
        FailoverReport.record("5 cluster: kill -> first write to its slots", recovery, s.rebuildCount());
      }
    }
  }
}
