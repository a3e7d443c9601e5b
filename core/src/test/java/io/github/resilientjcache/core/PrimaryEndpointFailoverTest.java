package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.core.event.SupervisorEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.redisson.api.options.PlainOptions;
import org.redisson.client.RedisReadonlyException;

/**
 * A managed primary endpoint (one DNS name, a primary and a replica) failing over in the ways managed
 * services do, with the supervisor's default settings. Each scenario ends with writes succeeding again
 * through the same supervisor, without a restart; the recovery time goes to the failover report.
 */
class PrimaryEndpointFailoverTest {

  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
  /** How long the managed service takes to flip the name after the primary fails. */
  private static final Duration FAILOVER_GAP = Duration.ofSeconds(2);

  private static RedisSupervisor supervisor(PrimaryEndpointRedis redis) {
    return RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).name("endpoint").build();
  }

  @Test
  void write_afterPrimaryKilledAndNameFlipped_succeedsWithoutRestart() throws Exception {
    failPrimaryPromoteAndFlip("1 killed primary", RedisOptions.defaults(), PrimaryEndpointRedis::killPrimary);
  }

  @Test
  void write_afterPrimaryFrozenAndNameFlipped_succeedsWithoutRestart() throws Exception {
    failPrimaryPromoteAndFlip("2 frozen primary", RedisOptions.defaults(), PrimaryEndpointRedis::freezePrimary);
  }

  /** Half-open connections: accepted, never answered. Only the probe can notice them when idle. */
  @Test
  void blackholedPrimary_isNoticedByTheProbe_andRecoversOnceTheNamePointsAtALiveNode() throws Exception {
    failPrimaryPromoteAndFlip("4 blackholed primary", RedisOptions.defaults().proxied(),
        PrimaryEndpointRedis::blackholePrimary);
  }

  /**
   * The managed failover: the primary fails, an idle application notices, the service promotes the
   * replica and flips the name a while later; the first write after the flip must succeed soon.
   */
  private static void failPrimaryPromoteAndFlip(String scenario, RedisOptions options,
      java.util.function.Consumer<PrimaryEndpointRedis> fault) throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      try (var redis = RedisTopology.primaryWithReplica(options); var s = supervisor(redis)) {
        Writes.set(s, "k", "before");
        redis.awaitReplicaInSync();

        long failed = System.nanoTime();
        fault.accept(redis);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
        Duration noticed = Duration.ofNanos(System.nanoTime() - failed);
        Thread.sleep(FAILOVER_GAP.toMillis());
        redis.promoteReplica();
        long flip = System.nanoTime();
        redis.flipDns();

        Duration recovery = Writes.untilWriteSucceeds(s, flip, RECOVERY_LIMIT);
        assertThat(Writes.get(s, "k")).isEqualTo("before");
        assertThat(s.generation()).isGreaterThan(1);
        assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
        FailoverReport.record(scenario + ": fault -> unavailable", noticed, s.rebuildCount());
        FailoverReport.record(scenario + ": flip -> first write", recovery, s.rebuildCount());
      }
    }
  }

  @Test
  void demotedPrimary_isNoticed_thenOneRebuildAndWritesSucceed() throws Exception {
    for (int run = 0; run < FailoverReport.runs(); run++) {
      try (var redis = RedisTopology.primaryWithReplica(); var s = supervisor(redis)) {
        Writes.set(s, "k", "before");
        redis.awaitReplicaInSync();

        // The old primary stays up but becomes a replica; the name still points at it for a moment.
        redis.promoteReplica();
        redis.demoteOldPrimary();
        // Until the name moves, a new client lands on the demoted node too: the write waits for a primary
        // until its deadline, then fails.
        assertThatThrownBy(() -> Writes.set(s, "k", "during")).isInstanceOf(RedisUnavailableException.class);
        long flip = System.nanoTime();
        redis.flipDns();

        Duration recovery = Writes.untilWriteSucceeds(s, flip, RECOVERY_LIMIT);
        assertThat(Writes.get(s, "k")).isEqualTo("before");
        assertThat(s.rebuildCount()).as("one rebuild, not a loop").isEqualTo(1);
        FailoverReport.record("3 demoted primary: flip -> first write", recovery, s.rebuildCount());
      }
    }
  }

  /**
   * With the probe and the DNS watch off, a write answered READONLY is enough to replace the client; reads
   * keep being served by the demoted node until the new client is verified.
   */
  @Test
  void write_answeredReadonly_startsTheRebuildOnItsOwn_whileReadsGoOn() throws Exception {
    ResilienceConfig callsOnly = ResilienceConfig.builder().probeInterval(Duration.ZERO)
        .dnsCheckInterval(Duration.ZERO).build();
    try (var redis = RedisTopology.primaryWithReplica();
        var s = RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).resilience(callsOnly).name("ro").build()) {
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      s.events().onEvent(events::add);
      Writes.set(s, "k", "before");
      redis.awaitReplicaInSync();
      redis.promoteReplica();
      redis.demoteOldPrimary();

      assertThatThrownBy(() -> s.execute(Idempotence.NON_IDEMPOTENT,
          session -> session.client().getBucket(session.options(PlainOptions.name("k"))).setAsync("during")))
          .isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("readonly")
          .hasRootCauseInstanceOf(RedisReadonlyException.class);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> events.stream().anyMatch(e -> e.type() == SupervisorEvent.Type.REBUILD_STARTED));
      assertThat(Writes.get(s, "k")).as("a read while the demoted node still answers").isEqualTo("before");
      assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
      redis.flipDns();

      Writes.untilWriteSucceeds(s, System.nanoTime(), RECOVERY_LIMIT);
      assertThat(s.rebuildCount()).isEqualTo(1);
      assertThat(redis.primary().call("GET", "probe-write")).isNotNull();
    }
  }

  @Test
  void connectionsResetOnce_costNoRebuildAndNoErrorToTheCaller() throws Exception {
    try (var redis = RedisTopology.primaryWithReplica(RedisOptions.defaults().proxied()); var s = supervisor(redis)) {
      Writes.set(s, "k", "0");
      int errors = 0;
      List<String> seen = new java.util.ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      long resetAt = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      boolean reset = false;
      int i = 0;
      while (System.nanoTime() < end) {
        if (!reset && System.nanoTime() > resetAt) {
          redis.resetConnections();
          reset = true;
        }
        try {
          Writes.set(s, "k", Integer.toString(++i));
          assertThat(Writes.get(s, "k")).isEqualTo(Integer.toString(i));
        } catch (RedisUnavailableException e) {
          errors++;
          seen.add(e.getMessage());
        }
      }
      assertThat(reset).isTrue();
      assertThat(errors).as("errors surfaced to the caller: %s", seen).isZero();
      assertThat(s.rebuildCount()).as("rebuilds").isZero();
      assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
    }
  }
}
