package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrimaryEndpointRedisTest {

  private static final Duration SHORT = Duration.ofMillis(500);

  /** What a client that resolves the name afresh reaches. */
  private static Object callThroughName(PrimaryEndpointRedis redis, String... command) {
    String host = redis.dns().resolve(redis.hostname()).getHostAddress();
    return RespClient.call(host, redis.port(), Duration.ofSeconds(2), command);
  }

  @Test
  void name_pointsAtThePrimary_whichReplicatesToTheReplica() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      assertThat(redis.primary().port()).isEqualTo(redis.replica().port());
      assertThat(redis.primary().host()).isNotEqualTo(redis.replica().host());
      assertThat(redis.dns().resolve(redis.hostname()).getHostAddress()).isEqualTo(redis.primary().host());
      callThroughName(redis, "SET", "k", "v");
      RedisTopology.await("replication", Duration.ofSeconds(5), () -> "v".equals(redis.replica().call("GET", "k")));
      assertThat(redis.replica().role()).isEqualTo("slave");
    }
  }

  @Test
  void failover_killsPromotesAndFlips_soTheNameReachesAWritablePrimary() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      callThroughName(redis, "SET", "k", "v");
      redis.awaitReplicaInSync();
      RedisNode old = redis.primary();
      redis.killPrimary();
      assertThat(old.isRunning()).isFalse();
      RedisNode promoted = redis.promoteReplica();
      assertThat(promoted.role()).isEqualTo("master");
      assertThat(redis.dns().resolve(redis.hostname()).getHostAddress()).as("not flipped yet").isEqualTo(old.host());
      redis.flipDns();
      assertThat(redis.dns().resolve(redis.hostname()).getHostAddress()).isEqualTo(promoted.host());
      assertThat(callThroughName(redis, "GET", "k")).isEqualTo("v");
      assertThat(callThroughName(redis, "SET", "k2", "v2")).isEqualTo("OK");
    }
  }

  @Test
  void demoteOldPrimary_afterKill_bringsItBackAsAReplicaThatAnswersReadonly() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      RedisNode old = redis.primary();
      redis.failover();
      redis.demoteOldPrimary();
      assertThat(old.isRunning()).isTrue();
      assertThat(old.role()).isEqualTo("slave");
      assertThatThrownBy(() -> old.call("SET", "k", "v"))
          .isInstanceOf(RespClient.RedisErrorReply.class)
          .hasMessageStartingWith("READONLY");
    }
  }

  @Test
  void demoteOldPrimary_whileConnected_turnsTheSameConnectionReadonly() {
    try (var redis = RedisTopology.primaryWithReplica();
        RespClient stale = redis.primary().connect(Duration.ofSeconds(2))) {
      assertThat(stale.send("SET", "k", "v")).isEqualTo("OK");
      redis.promoteReplica();
      redis.demoteOldPrimary();
      assertThatThrownBy(() -> stale.send("SET", "k", "v2"))
          .isInstanceOf(RespClient.RedisErrorReply.class)
          .hasMessageStartingWith("READONLY");
    }
  }

  @Test
  void freezePrimary_makesTheEndpointTimeOut_andThawRecovers() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      redis.freezePrimary();
      assertThatThrownBy(() -> RespClient.call(redis.primary().host(), redis.port(), SHORT, "PING"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
      redis.thaw();
      assertThat(callThroughName(redis, "PING")).isEqualTo("PONG");
    }
  }

  @Test
  void proxied_blackholePrimary_connectSucceedsCommandHangs_replicaStillAnswers() {
    try (var redis = RedisTopology.primaryWithReplica(RedisOptions.defaults().proxied())) {
      String endpoint = redis.endpointHost(redis.primary());
      assertThat(RespClient.call(endpoint, redis.port(), SHORT, "PING")).isEqualTo("PONG");
      redis.blackholePrimary();
      try (RespClient c = RespClient.connect(endpoint, redis.port(), SHORT)) {
        assertThatThrownBy(() -> c.send("PING")).hasCauseInstanceOf(SocketTimeoutException.class);
      }
      assertThat(RespClient.call(redis.endpointHost(redis.replica()), redis.port(), SHORT, "PING")).isEqualTo("PONG");
    }
  }

  @Test
  void proxied_resetAndLatency_affectClientConnectionsOnly() {
    try (var redis = RedisTopology.primaryWithReplica(RedisOptions.defaults().proxied());
        RespClient c = RespClient.connect(redis.endpointHost(redis.primary()), redis.port(), Duration.ofSeconds(5))) {
      assertThat(c.send("PING")).isEqualTo("PONG");
      redis.resetConnections();
      assertThatThrownBy(() -> c.send("PING")).isInstanceOf(UncheckedIOException.class);
      redis.latency(Duration.ofMillis(150));
      long start = System.nanoTime();
      assertThat(callThroughName(redis, "PING")).isEqualTo("PONG");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(redis.replica().infoField("replication", "master_link_status")).isEqualTo("up");
    }
  }

  @Test
  void restartEmpty_replicaResyncsFromThePrimary() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      redis.primary().call("SET", "k", "v");
      redis.restartEmpty(redis.replica());
      redis.awaitReplicaInSync();
      assertThat(redis.replica().call("GET", "k")).isEqualTo("v");
      redis.restartEmpty(redis.primary());
      assertThat(redis.primary().call("GET", "k")).isNull();
    }
  }
}
