package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.VipRedis;
import io.github.resilientjcache.testkit.VipRedis.OldConnections;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The four ways a primary endpoint fails over, under steady reads and writes, with the supervisor's
 * defaults and the recommended Redisson settings: the old primary demoted behind a moved VIP, the VIP's
 * old connections blackholed, reset (the primary killed), and a DNS name flipped after a kill. Each run
 * must recover, lose no read that some node could still answer, and keep every call within its deadline;
 * the figures go to the failover report ({@code -Drjc.failover.runs=5} for the table in docs/failover.md).
 */
class VipFailoverTest {

  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(15);
  private static final List<String> SCENARIOS = List.of("vip demote", "vip blackhole", "vip reset",
      "dns kill + flip");

  @AfterAll
  static void summary() {
    SCENARIOS.forEach(FailoverReport::summary);
  }

  @Test
  void demotedPrimaryBehindAMovedVip_writesComeBack_andNoReadFails() throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      Load load = switchOver("vip demote", OldConnections.KEEP, true, false);
      assertThat(load.failedReads()).as("reads failed while the demoted node still answered them").isZero();
    }
  }

  @Test
  void blackholedVipConnections_recover_andNoReadFails() throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      Load load = switchOver("vip blackhole", OldConnections.BLACKHOLE, false, false);
      assertThat(load.failedReads()).as("reads failed although the new primary answered new connections").isZero();
    }
  }

  @Test
  void resetVipConnections_afterTheKill_recover_andNoReadFails() throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      Load load = switchOver("vip reset", OldConnections.RESET, false, true);
      assertThat(load.failedReads()).as("reads failed although the new primary answered at once").isZero();
    }
  }

  @Test
  void killedPrimaryAndFlippedName_recover() throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
          RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).name("flip").build();
          Load load = Load.start(s, 2)) {
        warmUp(load);
        redis.awaitReplicaInSync();
        load.markFault();
        redis.killPrimary();
        redis.promoteReplica();
        redis.flipDns();
        finish("dns kill + flip", s, load);
      }
    }
  }

  private static Load switchOver(String scenario, OldConnections old, boolean demote, boolean kill)
      throws Exception {
    try (VipRedis redis = RedisTopology.primaryWithReplicaBehindVip();
        RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.endpoint(redis.uri())).name("vip").build();
        Load load = Load.start(s, 2)) {
      warmUp(load);
      redis.awaitReplicaInSync();
      load.markFault();
      if (kill) {
        redis.killPrimary();
      }
      redis.switchOver(old);
      if (demote) {
        redis.demoteOldPrimary();
      }
      finish(scenario, s, load);
      return load;
    }
  }

  private static void warmUp(Load load) {
    await().atMost(Duration.ofSeconds(10)).until(() -> load.writes() >= 20 && load.reads() >= 20);
  }

  /** Waits for recovery and some traffic after it, then records and checks what every mode must hold. */
  private static void finish(String scenario, RedisSupervisor s, Load load) throws Exception {
    await().atMost(RECOVERY_LIMIT).until(load::recovered);
    int writes = load.writes();
    await().atMost(Duration.ofSeconds(10)).until(() -> load.writes() >= writes + 50);
    load.close();
    FailoverReport.record(scenario, load.recovery(), s.rebuildCount(), load);
    assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
    // A call waits at most its deadline; the margin is for a loaded 2-core machine, not for retries.
    assertThat(load.longestCall()).as("the longest single call, against a deadline of %s", s.callTimeout())
        .isLessThan(s.callTimeout().plusMillis(500));
  }
}
