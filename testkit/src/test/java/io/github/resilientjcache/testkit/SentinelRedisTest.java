package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SentinelRedisTest {

  @Test
  void killPrimary_sentinelsPromoteTheReplica() {
    try (var redis = RedisTopology.sentinel()) {
      RedisNode primary = redis.primary();
      RedisNode replica = redis.replica();
      assertThat(primary.role()).isEqualTo("master");
      assertThat(redis.sentinelUris()).hasSize(3);
      primary.call("SET", "k", "v");

      RedisNode killed = redis.killPrimary();
      RedisNode promoted = redis.awaitFailoverFrom(killed, Duration.ofSeconds(30));

      assertThat(promoted).isSameAs(replica);
      assertThat(promoted.call("SET", "k2", "v2")).isEqualTo("OK");

      redis.restart(killed);
      RedisTopology.await("the old primary to rejoin as a replica", Duration.ofSeconds(30),
          () -> "slave".equals(killed.role()) && "up".equals(killed.infoField("replication", "master_link_status")));
    }
  }

  @Test
  void manualFailover_swapsRolesWithoutDowntime() {
    try (var redis = RedisTopology.sentinel()) {
      RedisNode before = redis.primary();
      redis.manualFailover();
      RedisNode after = redis.awaitFailoverFrom(before, Duration.ofSeconds(30));
      assertThat(after).isNotSameAs(before);
      RedisTopology.await("the old primary to be a replica", Duration.ofSeconds(30), () -> "slave".equals(before.role()));
    }
  }
}
