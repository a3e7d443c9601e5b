package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/** What is not a failover must not be treated as one: a burst on the client's side, a missing permission. */
class OverloadAndPermissionsTest {

  /**
   * Regression (review finding 5): "Unable to acquire connection" counted as a failover signal, so a burst
   * that exhausted the pool opened the counter and rebuilt the client, which made the burst worse.
   */
  @Test
  void aBurstThatExhaustsThePool_failsFastAsOverload_withoutOpeningTheCounterOrRebuilding() {
    try (var redis = RedisTopology.standalone()) {
      Config config = RedisConfigs.standalone(redis);
      config.useSingleServer().setConnectionPoolSize(1).setConnectionMinimumIdleSize(1).setTimeout(300);
      try (var s = RedisSupervisor.builder(config).name("burst").build()) {
        // A blocking command holds the only connection, as a burst of slow calls would.
        var held = s.execute(Idempotence.READ, session -> java.util.concurrent.CompletableFuture.completedFuture(
            session.client().getBlockingQueue("q").pollAsync(3, TimeUnit.SECONDS)));
        for (int i = 0; i < 5; i++) {
          assertThatThrownBy(() -> Writes.get(s, "k")).isInstanceOf(RedisOverloadedException.class)
              .hasMessageContaining("not a failover");
        }
        held.toCompletableFuture().handle((v, e) -> null).join();
        assertThat(s.callCounts().overloaded()).isEqualTo(5);
        assertThat(s.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
        assertThat(s.rebuildCount()).isZero();
      }
    }
  }

  /**
   * Regression (review finding 12): the probe ran INFO inside EVAL; ACL puts INFO in {@code @dangerous},
   * so a user set up as {@code +@all -@dangerous} (the Redis ACL docs' example, common with ElastiCache
   * RBAC) got NOPERM and the supervisor stayed unavailable for ever. Now it is served, and recovers.
   */
  @Test
  void userWithoutDangerousCommands_isServed_andRecoversFromAnOutage() {
    String secret = "app-secret-7311";
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().user("app", secret, "~rjc:* +@all -@dangerous"))) {
      Config config = RedisConfigs.standalone(redis);
      config.setUsername("app");
      config.setPassword(secret);
      try (var s = RedisSupervisor.builder(config).name("acl").build()) {
        assertThat(s.state()).isEqualTo(SupervisorState.AVAILABLE);
        Writes.set(s, "rjc:k", "v");
        assertThat(Writes.get(s, "rjc:k")).isEqualTo("v");

        redis.kill();
        await().atMost(Duration.ofSeconds(5)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
        redis.node().start();
        await().atMost(Duration.ofSeconds(15)).until(() -> s.state() == SupervisorState.AVAILABLE);
        Writes.set(s, "rjc:k", "after");
        assertThat(redis.node().call("GET", "rjc:k")).isEqualTo("after");
      }
    }
  }

  /** A user who may not run scripts cannot be supervised: a clear error at once, naming what is missing. */
  @Test
  void userWithoutScripting_failsToStartWithAPermissionError_andNoRebuildLoop() {
    String secret = "app-secret-9012";
    try (var redis = RedisTopology.standalone(RedisOptions.defaults()
        .user("app", secret, "~rjc:* +@all -@dangerous -@scripting"))) {
      Config config = RedisConfigs.standalone(redis);
      config.setUsername("app");
      config.setPassword(secret);
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      long start = System.nanoTime();
      assertThatThrownBy(() -> RedisSupervisor.builder(config).name("acl-noscript").build().close())
          .isInstanceOf(RedisPermissionException.class)
          .hasMessageContaining("EVAL").hasMessageContaining("rjc:probe").hasMessageContaining("docs/failover.md")
          .message().doesNotContain(secret);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(events).isEmpty();
    }
  }
}
