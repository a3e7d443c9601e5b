package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What listeners hear, in what order, and that no listener can hold the supervisor up. */
class SupervisorEventsTest {

  /**
   * Regression (review finding 11): availability events could come out of order (the handler of a closed
   * counter did not recheck the state). Over repeated outages they now alternate, each matches the state
   * at its time, and the last matches the state now.
   */
  @Test
  @SuppressWarnings("try") // the load is held only to run while the test breaks Redis
  void stateTransitions_overRepeatedOutages_alternate_andEndWhereTheStateIs() {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("order").build();
        var load = Load.start(s, 2)) {
      List<SupervisorEvent.StateTransition> transitions = new CopyOnWriteArrayList<>();
      s.events().onStateTransition(transitions::add);
      for (int outage = 1; outage <= 3; outage++) {
        redis.kill();
        int expected = 2 * outage - 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> transitions.size() >= expected);
        redis.node().start();
        await().atMost(Duration.ofSeconds(15)).until(() -> transitions.size() >= expected + 1
            && s.state() == SupervisorState.AVAILABLE);
      }
      assertThat(transitions).hasSize(6);
      for (int i = 0; i < transitions.size(); i++) {
        SupervisorState to = i % 2 == 0 ? SupervisorState.UNAVAILABLE : SupervisorState.AVAILABLE;
        assertThat(transitions.get(i).to()).as("transition %d", i).isEqualTo(to);
        assertThat(transitions.get(i).from()).isNotEqualTo(to);
      }
      assertThat(transitions.get(5).to()).isEqualTo(s.state());
    }
  }

  /**
   * Listeners ran on the supervisor's own thread: one that rebinds by calling execute() (the cache layer,
   * after a new generation) stalled probes and rebuilds. Now a listener that takes seconds delays only the
   * events after it: the next outage is still noticed within a second.
   */
  @Test
  void aListenerThatTakesSeconds_delaysNoProbeAndNoRebuild() throws Exception {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("slow-listener").build()) {
      CountDownLatch release = new CountDownLatch(1);
      s.events().onGenerationChanged(e -> {
        Writes.set(s, "rebound", Long.toString(e.generation())); // a rebind through the supervisor
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      });
      s.requestRebuild("test");
      await().atMost(Duration.ofSeconds(10)).until(() -> "2".equals(redis.node().call("GET", "rebound")));
      long kill = System.nanoTime();
      redis.kill();
      await().atMost(Duration.ofSeconds(3)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
      assertThat(Duration.ofNanos(System.nanoTime() - kill)).isLessThan(Duration.ofSeconds(2));
      redis.node().start();
      await().atMost(Duration.ofSeconds(15)).until(() -> s.state() == SupervisorState.AVAILABLE);
      release.countDown();
    }
  }

  /**
   * A recovery without a rebuild (Redisson reconnects after a reset) emitted nothing, yet pub/sub messages
   * sent in the gap were lost: a near cache must hear that it may have missed invalidations.
   */
  @Test
  void connectionsResetWithoutARebuild_publishConnectionLost_withTheAddress() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("lost").build()) {
      List<SupervisorEvent.ConnectionLost> lost = new CopyOnWriteArrayList<>();
      s.events().onEvent(e -> {
        if (e instanceof SupervisorEvent.ConnectionLost l) {
          lost.add(l);
        }
      });
      Writes.set(s, "k", "v");
      redis.proxy().resetAll();
      await().atMost(Duration.ofSeconds(5)).until(() -> !lost.isEmpty());
      assertThat(lost.get(0).generation()).isEqualTo(1);
      assertThat(lost.get(0).address()).endsWith(":" + redis.proxy().port());
      assertThat(lost.get(0).nodeType()).isEqualTo("MASTER");
      assertThat(Writes.get(s, "k")).isEqualTo("v");
      assertThat(s.rebuildCount()).isZero();
    }
  }
}
