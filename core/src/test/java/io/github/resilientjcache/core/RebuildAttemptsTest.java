package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.DeadAddress;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/** How build attempts behave when the network misbehaves, and how they end when the supervisor closes. */
class RebuildAttemptsTest {

  /**
   * Regression (review finding 3): at most two clients could be in Redisson.create at once; builds hanging
   * on an address whose connects never complete (Redisson's default connect timeout is 10 s) filled the
   * cap, and the attempt for the name's new address waited behind them. Now it never does.
   */
  @Test
  void nameMovedWhileAttemptsHangOnADeadAddress_recoversWithoutWaitingForThem() {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica()) {
      String primaryHost = redis.endpointHost(redis.primary());
      String deadHost = primaryHost.substring(0, primaryHost.lastIndexOf('.') + 1) + "4";
      Config config = RedisConfigs.primaryEndpoint(redis);
      config.useSingleServer().setConnectTimeout(10_000); // Redisson's default
      try (DeadAddress dead = DeadAddress.at(new InetSocketAddress(deadHost, redis.port()));
          RedisSupervisor s = RedisSupervisor.builder(config).name("dead").build()) {
        List<SupervisorEvent.RebuildStarted> started = new CopyOnWriteArrayList<>();
        s.events().onEvent(e -> {
          if (e instanceof SupervisorEvent.RebuildStarted r) {
            started.add(r);
          }
        });
        Writes.set(s, "k", "v");
        redis.awaitReplicaInSync();
        // The primary dies and, for a while, the name points at an instance that is gone.
        redis.killPrimary();
        redis.dns().set(PrimaryEndpointRedis.HOSTNAME, deadHost);
        await().atMost(Duration.ofSeconds(20)).until(() -> started.size() >= 3);

        redis.promoteReplica();
        long flip = System.nanoTime();
        redis.flipDns();
        Duration recovery = Writes.untilWriteSucceeds(s, flip, Duration.ofSeconds(30));
        assertThat(recovery).as("flip -> first write, with builds still stuck on %s", dead.address())
            .isLessThan(Duration.ofSeconds(5));
        assertThat(Writes.get(s, "k")).isEqualTo("v");
        FailoverReport.record("3 flip while builds hang on a dead address", recovery, s.rebuildCount());
      }
    }
  }

  /**
   * Regression (review finding 8): the DNS watch started a lookup every second even while the last one was
   * pending, so with DNS unreachable lookups piled up. Now one at a time, each given up after the check
   * interval; once DNS answers again the moved name is followed at once.
   */
  @Test
  void silentDns_pilesUpNoLookups_andTheMoveIsFollowedOnceItAnswers() {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).name("silent-dns").build()) {
      Writes.set(s, "k", "v");
      redis.awaitReplicaInSync();
      redis.dns().silence(true);
      long silentSince = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).until(() -> redis.dns().unansweredQueries() >= 4);
      long seconds = Math.max(1, Duration.ofNanos(System.nanoTime() - silentSince).toSeconds());
      // Netty sends at most 2 queries per lookup (maxQueriesPerResolve); one lookup per 1 s check.
      assertThat(redis.dns().unansweredQueries()).as("queries in %d s of silence", seconds)
          .isLessThanOrEqualTo(2 * (seconds + 1));

      redis.killPrimary();
      redis.promoteReplica();
      redis.flipDns();
      long back = System.nanoTime();
      redis.dns().silence(false);
      Duration recovery = Writes.untilWriteSucceeds(s, back, Duration.ofSeconds(30));
      assertThat(recovery).as("DNS answers again -> first write").isLessThan(Duration.ofSeconds(5));
      FailoverReport.record("8 DNS silent, then kill + flip: DNS back -> first write", recovery, s.rebuildCount());
    }
  }

  /**
   * Regression (review finding 9): close() racing a swap could leave the old generation open, with
   * Redisson's non-daemon timer thread, and interrupting a build made Redisson.create skip its clean-up.
   * Closing at every stage of a rebuild leaves no client connected and no Redisson timer running.
   */
  @Test
  void close_atEveryStageOfARebuild_leavesNoClientConnectedAndNoTimerRunning() {
    try (var redis = RedisTopology.standalone()) {
      int clientsBefore = connectedClients(redis.node());
      long timersBefore = redissonTimers();
      SupervisorEvent.Type[] stages = {null, SupervisorEvent.Type.REBUILD_STARTED,
          SupervisorEvent.Type.REBUILD_SUCCEEDED, SupervisorEvent.Type.GENERATION_CHANGED};
      for (int round = 0; round < 3; round++) {
        for (SupervisorEvent.Type stage : stages) {
          RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("close-race").build();
          List<SupervisorEvent.Type> seen = new CopyOnWriteArrayList<>();
          s.events().onEvent(e -> seen.add(e.type()));
          s.requestRebuild("test");
          if (stage != null) {
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(stage));
          }
          s.close();
        }
      }
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(connectedClients(redis.node())).as("clients connected to Redis").isLessThanOrEqualTo(clientsBefore);
        assertThat(redissonTimers()).as("Redisson timer threads").isLessThanOrEqualTo(timersBefore);
      });
    }
  }

  /**
   * Regression (review finding 7): the shared Netty threads were named rjc-...-netty, which turned off
   * Redisson's guard against a blocking call on an event loop: such a call then blocked the loop that had
   * to deliver its own answer. Now Redisson refuses it at once.
   */
  @Test
  void blockingCallInsideACallback_isRefusedAtOnce_notADeadlockedEventLoop() {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("guard").build()) {
      Writes.set(s, "k", "v");
      long start = System.nanoTime();
      // The pop is answered when the push arrives, on an event-loop thread, after the callback was attached:
      // the callback runs there.
      var call = s.executeAsync(Idempotence.NON_IDEMPOTENT, session -> session.client().<String>getBlockingQueue("q")
          .pollAsync(5, java.util.concurrent.TimeUnit.SECONDS)
          .thenApply(v -> session.client().getBucket("k").get())) // sync, on the thread that delivered the pop
          .toCompletableFuture();
      redis.node().call("RPUSH", "q", "x"); // after the callback was attached: executeAsync has returned
      assertThat(call).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
          .isInstanceOf(IllegalStateException.class)
          .withMessageContaining("Sync methods can't be invoked from async/rx/reactive listeners");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(s.callTimeout());
      assertThat(Writes.get(s, "k")).as("the event loop still serves").isEqualTo("v");
    }
  }

  private static int connectedClients(io.github.resilientjcache.testkit.RedisNode node) {
    return Integer.parseInt(node.infoField("clients", "connected_clients")) - 1; // minus the asking connection
  }

  private static long redissonTimers() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("redisson-timer")).count();
  }
}
