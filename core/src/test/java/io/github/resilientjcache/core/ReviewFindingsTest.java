package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.ClusterRedis;
import io.github.resilientjcache.testkit.RedisNode;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/** Regressions for what a second review of the hardened supervisor found, each on real servers. */
class ReviewFindingsTest {

  /**
   * A success can complete the failure counter's minimum number of calls and open it: resilience4j checks
   * its thresholds on every record. Only failures were followed by a look, so the counter stood open while
   * the supervisor said AVAILABLE, until some later failure.
   */
  @Test
  void aSuccessThatOpensTheCounter_isNoticed() {
    ResilienceConfig rc = ResilienceConfig.builder().probeInterval(Duration.ZERO).dnsCheckInterval(Duration.ZERO)
        .slidingWindowSize(5).minimumNumberOfCalls(5).retryMaxAttempts(1).build();
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).resilience(rc).name("opens-on-success").build()) {
      redis.node().call("CONFIG", "SET", "min-replicas-to-write", "1"); // writes now fail NOREPLICAS (counted)
      for (int i = 0; i < 4; i++) {
        org.assertj.core.api.Assertions.catchThrowable(() -> Writes.set(s, "k", "v"));
      }
      assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
      Writes.get(s, "k"); // the fifth call, a success, makes 4 of 5 failed
      await().atMost(Duration.ofSeconds(5)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
    }
  }

  /**
   * While the name still points at a demoted primary, every refused write and every probe asked for a
   * replacement, and each one cancelled the backoff of the last: a rebuild loop against the replica.
   */
  @Test
  @SuppressWarnings("try") // the load is held only to run while the test breaks Redis
  void demotedPrimary_withTheNameNotMovedYet_replacementsBackOff() {
    try (var redis = RedisTopology.primaryWithReplica();
        var s = RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).name("replace-backoff").build();
        var load = Load.start(s, 1)) {
      List<SupervisorEvent.RebuildStarted> started = new CopyOnWriteArrayList<>();
      s.events().onEvent(e -> {
        if (e instanceof SupervisorEvent.RebuildStarted r) {
          started.add(r);
        }
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> load.writes() > 20);
      redis.promoteReplica();
      redis.demoteOldPrimary();
      await().atMost(Duration.ofSeconds(5)).until(() -> !started.isEmpty());
      int writesFailedBefore = load.failedWrites();
      await().atMost(Duration.ofSeconds(10)).until(() -> load.failedWrites() >= writesFailedBefore + 4);
      // A few seconds of refused writes and READONLY probes: the attempts follow the backoff
      // (200, 400, 800, 1600 ms ...), not the calls.
      assertThat(started.size()).as("replacement attempts while the name is not moved").isLessThanOrEqualTo(6);
      load.markFault();
      redis.flipDns();
      await().atMost(Duration.ofSeconds(15)).until(load::recovered);
      assertThat(s.rebuildCount()).isEqualTo(1);
    }
  }

  /** An interrupted caller gives its call up; that is not Redis timing out, and must not count as such. */
  @Test
  void anInterruptedCaller_givesUpItsCall_withoutCountingItAgainstRedis() throws Exception {
    try (var redis = RedisTopology.standalone()) {
      Config config = RedisConfigs.standalone(redis);
      config.useSingleServer().setTimeout(5_000);
      try (var s = RedisSupervisor.builder(config).resilience(ResilienceConfig.builder().probeInterval(Duration.ZERO)
          .build()).name("interrupted").build()) {
        Writes.set(s, "k", "v");
        redis.freeze();
        try {
          AtomicReference<Throwable> seen = new AtomicReference<>();
          Thread caller = new Thread(() -> {
            try {
              Writes.get(s, "k");
            } catch (RuntimeException e) {
              seen.set(e);
            }
          });
          caller.start();
          await().atMost(Duration.ofSeconds(5)).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
          caller.interrupt();
          caller.join(5_000);
          assertThat(seen.get()).isInstanceOf(ResilientRedisException.class).hasMessageContaining("interrupted");
          assertThat(s.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
          assertThat(s.callCounts().failed()).isZero();
        } finally {
          redis.thaw();
        }
      }
    }
  }

  /**
   * On Cluster, primaries that stopped answering only marked their shards down; with every one of them down
   * the supervisor still said AVAILABLE and never rebuilt. Now the whole cluster down opens the counter.
   */
  @Test
  void everyClusterPrimaryDown_opensTheCounter() {
    try (ClusterRedis redis = RedisTopology.cluster();
        RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.cluster(redis)).name("all-down").build()) {
      List<SupervisorEvent.StateTransition> transitions = new CopyOnWriteArrayList<>();
      s.events().onStateTransition(transitions::add);
      for (RedisNode r : redis.replicas()) {
        r.freeze(); // nothing can take over
      }
      try {
        for (RedisNode p : redis.primaries()) {
          p.kill();
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
        assertThat(transitions).extracting(SupervisorEvent.StateTransition::to).contains(SupervisorState.UNAVAILABLE);
      } finally {
        for (RedisNode r : redis.replicas()) {
          r.thaw();
        }
      }
    }
  }

  /** Every RebuildStarted ends in a RebuildSucceeded or a RebuildFailed, and close() says CLOSED. */
  @Test
  void everyRebuildStartedHasAnEnd_andCloseIsAnnounced() {
    List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
    try (var redis = RedisTopology.standalone()) {
      var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("event-pairs").build();
      s.events().onEvent(events::add);
      for (int i = 0; i < 3; i++) {
        long g = s.generation();
        s.requestRebuild("test " + i);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.generation() > g);
      }
      redis.freeze(); // probes time out: speculative attempts, and their ends
      await().atMost(Duration.ofSeconds(10)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
      redis.thaw();
      await().atMost(Duration.ofSeconds(15)).until(() -> s.state() == SupervisorState.AVAILABLE);
      s.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e ->
        e instanceof SupervisorEvent.StateTransition t && t.to() == SupervisorState.CLOSED));
    long started = events.stream().filter(e -> e.type() == SupervisorEvent.Type.REBUILD_STARTED).count();
    long ended = events.stream().filter(e -> e.type() == SupervisorEvent.Type.REBUILD_SUCCEEDED
        || e.type() == SupervisorEvent.Type.REBUILD_FAILED).count();
    assertThat(ended).as("ends of %d rebuild attempts", started).isEqualTo(started);
  }
}
