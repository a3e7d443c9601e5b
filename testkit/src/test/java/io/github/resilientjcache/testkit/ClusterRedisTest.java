package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterRedisTest {

  @Test
  void cluster_isOkWithThreePrimariesAndThreeReplicas_andFailsAPrimaryOver() {
    try (var redis = RedisTopology.cluster()) {
      assertThat(redis.primaries()).hasSize(3);
      assertThat(redis.replicas()).hasSize(3);
      for (RedisNode n : redis.nodes()) {
        assertThat(ClusterRedis.clusterInfo(n, "cluster_state")).isEqualTo("ok");
        assertThat(ClusterRedis.clusterInfo(n, "cluster_slots_assigned")).isEqualTo("16384");
      }

      RedisNode owner = redis.primaryForSlot(0);
      // "{06S}" hashes to slot 0; a node that does not own the slot redirects
      owner.call("SET", "{06S}k", "v");
      RedisNode other = redis.primaries().stream().filter(n -> n != owner).findFirst().orElseThrow();
      assertThatThrownBy(() -> other.call("GET", "{06S}k")).hasMessageStartingWith("MOVED 0 ");

      RedisNode replica = redis.replicaOf(owner);
      RedisTopology.await("replication", Duration.ofSeconds(5), () -> {
        try (RespClient c = replica.connect(Duration.ofSeconds(2))) {
          c.send("READONLY");
          return "v".equals(c.send("GET", "{06S}k"));
        }
      });

      RedisNode promoted = redis.killPrimaryAndAwaitFailover(owner, Duration.ofSeconds(30));
      assertThat(promoted).isSameAs(replica);
      assertThat(redis.primaryForSlot(0)).isSameAs(promoted);
      assertThat(promoted.call("GET", "{06S}k")).isEqualTo("v");
      assertThat(promoted.call("SET", "{06S}k", "v2")).isEqualTo("OK");
    }
  }
}
