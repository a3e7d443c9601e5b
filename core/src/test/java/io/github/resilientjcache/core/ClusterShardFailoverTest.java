package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.ClusterRedis;
import io.github.resilientjcache.testkit.RedisNode;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review finding 4: on Cluster the keyless probe always reached one primary and a successful probe closed
 * the counter, so with a dead shard carrying most calls the counter flapped open and closed every 0.5-1 s,
 * the grace rebuild never fired, and calls to the healthy shards failed fast for ~3 s. Now each primary is
 * probed and counted on its own.
 */
class ClusterShardFailoverTest {

  @Test
  void deadPrimary_failsOnlyItsOwnKeysFast_healthyShardsServeThroughout_andNothingFlaps() throws Exception {
    try (ClusterRedis redis = RedisTopology.cluster();
        RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.cluster(redis)).name("shards").build()) {
      // Redis itself answers CLUSTERDOWN on every shard while any slot is uncovered, unless told not to; with
      // that off, only our own refusals could fail a healthy shard's calls.
      for (RedisNode n : redis.nodes()) {
        n.call("CONFIG", "SET", "cluster-require-full-coverage", "no");
      }
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      s.events().onEvent(events::add);
      List<String> keys = keyPerShard(redis);
      RedisNode doomed = redis.primaryForSlot(slot(redis, keys.get(0)));
      for (String k : keys) {
        Writes.set(s, k, "before");
      }
      try (ShardLoad load = new ShardLoad(s, keys)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get(0).get() > 20 && load.ok.get(2).get() > 20);
        long kill = System.nanoTime();
        doomed.kill();
        // Most of the traffic goes to the dead shard's key, as in the finding.
        await().atMost(Duration.ofSeconds(30)).until(() -> load.failed.get(0).get() > 0);
        int okAfterFailure = load.ok.get(0).get();
        await().atMost(Duration.ofSeconds(40)).until(() -> load.ok.get(0).get() > okAfterFailure + 20);
        System.out.printf("[failover-report] cluster shard kill: its keys back after %d ms; failed calls per shard %s%n",
            Duration.ofNanos(System.nanoTime() - kill).toMillis(), load.failed);
        assertThat(load.failed.get(1).get()).as("failed calls on a healthy shard").isZero();
        assertThat(load.failed.get(2).get()).as("failed calls on a healthy shard").isZero();
      }
      // The dead primary's record closes once Redisson no longer lists it as a primary.
      await().atMost(Duration.ofSeconds(20)).until(() -> s.unavailableShards().isEmpty());
      assertThat(events).filteredOn(e -> e.type() == SupervisorEvent.Type.STATE_TRANSITION)
          .as("the whole supervisor never went unavailable").isEmpty();
      assertThat(events).filteredOn(e -> e instanceof SupervisorEvent.ShardStateTransition)
          .extracting(e -> ((SupervisorEvent.ShardStateTransition) e).to())
          .as("one shard down, then up: no flapping")
          .containsExactly(SupervisorState.UNAVAILABLE, SupervisorState.AVAILABLE);
      assertThat(s.rebuildCount()).as("Redisson follows the cluster by itself").isZero();
      assertThat(Writes.get(s, keys.get(0))).isEqualTo("before");
    }
  }

  @Test
  void shardThatStaysDown_getsOneGraceRebuild_notALoop_andHealthyShardsServe() throws Exception {
    ResilienceConfig shortGrace = ResilienceConfig.builder().topologyGracePeriod(Duration.ofSeconds(2)).build();
    try (ClusterRedis redis = RedisTopology.cluster();
        RedisSupervisor s = RedisSupervisor.builder(RedisConfigs.cluster(redis)).resilience(shortGrace)
            .name("stays-down").build()) {
      for (RedisNode n : redis.nodes()) {
        n.call("CONFIG", "SET", "cluster-require-full-coverage", "no"); // the other shards keep serving
      }
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      s.events().onEvent(events::add);
      List<String> keys = keyPerShard(redis);
      RedisNode doomed = redis.primaryForSlot(slot(redis, keys.get(0)));
      RedisNode itsReplica = redis.replicaOf(doomed);
      itsReplica.freeze(); // nothing can take the shard over
      try {
        doomed.kill();
        await().atMost(Duration.ofSeconds(20))
            .until(() -> events.stream().anyMatch(e -> e.type() == SupervisorEvent.Type.REBUILD_STARTED));
        assertThat(s.unavailableShards()).hasSize(1);
        // Three grace periods later: still the one attempt, and the healthy shards answer.
        long generation = s.generation();
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertThat(events).filteredOn(e -> e.type() == SupervisorEvent.Type.REBUILD_STARTED).hasSize(1);
        assertThat(s.unavailableShards()).hasSize(1);
        assertThat(s.generation()).isEqualTo(generation);
        assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
        Writes.set(s, keys.get(1), "still");
        assertThat(Writes.get(s, keys.get(2))).isNull();
      } finally {
        itsReplica.thaw();
      }
    }
  }

  /** Traffic to one key per shard, each on its own thread, counting successes and failures per shard. */
  private static final class ShardLoad implements AutoCloseable {
    final List<AtomicInteger> ok = new ArrayList<>();
    final List<AtomicInteger> failed = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    ShardLoad(RedisSupervisor s, List<String> keys) {
      for (int i = 0; i < keys.size(); i++) {
        ok.add(new AtomicInteger());
        failed.add(new AtomicInteger());
        String key = keys.get(i);
        AtomicInteger okHere = ok.get(i);
        AtomicInteger failedHere = failed.get(i);
        int weight = i == 0 ? 4 : 1;
        Thread t = new Thread(() -> {
          int n = 0;
          while (running.get()) {
            try {
              if (n++ % 2 == 0) {
                Writes.set(s, key, "before");
              } else {
                Writes.get(s, key);
              }
              okHere.incrementAndGet();
            } catch (RuntimeException e) {
              failedHere.incrementAndGet();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10 / weight).toNanos());
          }
        }, "shard-load-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    @Override
    public void close() {
      running.set(false);
      for (Thread t : threads) {
        try {
          t.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** A key for each of the three shards, in slot order. */
  private static List<String> keyPerShard(ClusterRedis redis) {
    List<String> keys = new ArrayList<>();
    int per = ClusterRedis.SLOTS / 3;
    for (int shard = 0; shard < 3; shard++) {
      for (int i = 0; ; i++) {
        String k = "shard" + shard + "-" + i;
        if (slot(redis, k) / per == shard || (shard == 2 && slot(redis, k) >= 2 * per)) {
          keys.add(k);
          break;
        }
      }
    }
    return keys;
  }

  private static int slot(ClusterRedis redis, String key) {
    return Integer.parseInt(String.valueOf(redis.primaries().get(0).call("CLUSTER", "KEYSLOT", key)));
  }
}
