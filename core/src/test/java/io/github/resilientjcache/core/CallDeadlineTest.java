package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * No call waits longer than its deadline (Redisson's {@code timeout}), whatever Redisson does underneath,
 * and no call is left waiting on a client that was replaced.
 */
class CallDeadlineTest {

  /**
   * Regression (review finding 1): calls in flight on a frozen primary were not failed when the client was
   * replaced; Redisson's shutdown then stopped the timer that would have timed them out, and most of 300
   * callers waited forever. Now the swap releases every one: reads are sent again on the new client, writes
   * fail at once (the frozen node might still run them).
   */
  @Test
  void callsInFlightOnAFrozenPrimary_areReleasedAtTheSwap_noneLeftWaiting() throws Exception {
    try (var redis = RedisTopology.primaryWithReplica()) {
      Config config = RedisConfigs.primaryEndpoint(redis);
      config.useSingleServer().setTimeout(5_000); // longer than the whole recovery
      try (var s = RedisSupervisor.builder(config).name("inflight").build()) {
        Writes.set(s, "k", "v");
        redis.awaitReplicaInSync();
        redis.freezePrimary();
        List<CompletableFuture<Object>> reads = new ArrayList<>();
        List<CompletableFuture<Object>> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          // Plain Redisson commands, no session options: the case Redisson's shutdown left hanging.
          reads.add(s.<Object>executeAsync(Idempotence.READ, session -> session.client().getBucket("k").getAsync())
              .toCompletableFuture());
        }
        for (int i = 0; i < 30; i++) {
          String value = "w" + i;
          writes.add(s.<Object>executeAsync(Idempotence.IDEMPOTENT,
              session -> session.client().getBucket("w").setAsync(value).thenApply(v -> value)).toCompletableFuture());
        }
        redis.promoteReplica();
        long flip = System.nanoTime();
        redis.flipDns();

        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).handle((r, e) -> null)
            .get(4_500, TimeUnit.MILLISECONDS); // before any 5 s timeout could have released them
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((r, e) -> null)
            .get(4_500, TimeUnit.MILLISECONDS);
        long releasedMs = Duration.ofNanos(System.nanoTime() - flip).toMillis();
        assertThat(reads).as("reads, sent again on the new client").allSatisfy(f -> assertThat(f).isCompletedWithValue("v"));
        for (CompletableFuture<Object> w : writes) {
          if (w.isCompletedExceptionally()) {
            assertThatThrownBy(w::join).hasCauseInstanceOf(RedisUnavailableException.class)
                .hasMessageContaining("may or may not have been applied");
          }
        }
        assertThat(s.generation()).isEqualTo(2);
        System.out.printf("[failover-report] 300 reads + 30 writes in flight on a frozen primary: all released %d ms"
            + " after the flip%n", releasedMs);
      } finally {
        redis.thaw();
      }
    }
  }

  /**
   * Regression (review finding 10): idempotent retries had no total deadline; with Redisson's retries under
   * them a read of a frozen node could take 3 x (4 attempts x 1 s + delays). Now the whole call, sync or
   * async, ends at its deadline.
   */
  @Test
  void aReadOfAFrozenNode_endsAtItsDeadline_notAtRedissonsRetriesTimesOurs() throws Exception {
    ResilienceConfig countersOnly = ResilienceConfig.builder().probeInterval(Duration.ZERO)
        .dnsCheckInterval(Duration.ZERO).slidingWindowSize(100).minimumNumberOfCalls(100).build();
    try (var redis = RedisTopology.standalone()) {
      Config config = RedisConfigs.standalone(redis);
      config.useSingleServer().setTimeout(1_000).setRetryAttempts(3).setRetryDelay(new ConstantDelay(Duration.ofSeconds(1)));
      try (var s = RedisSupervisor.builder(config).resilience(countersOnly).name("deadline").build()) {
        Writes.set(s, "k", "v");
        redis.freeze();
        try {
          long start = System.nanoTime();
          assertThatThrownBy(() -> s.execute(Idempotence.READ, session -> session.client().getBucket("k").getAsync()))
              .isInstanceOf(RedisUnavailableException.class).hasMessageContaining("1000 ms");
          Duration sync = Duration.ofNanos(System.nanoTime() - start);

          start = System.nanoTime();
          var async = s.executeAsync(Idempotence.READ, session -> session.client().getBucket("k").getAsync())
              .toCompletableFuture();
          await().atMost(Duration.ofSeconds(5)).until(async::isDone);
          Duration asyncTook = Duration.ofNanos(System.nanoTime() - start);
          assertThat(async).isCompletedExceptionally();

          assertThat(sync).as("sync call, deadline 1 s").isLessThan(Duration.ofMillis(1_300));
          assertThat(asyncTook).as("async call, deadline 1 s").isLessThan(Duration.ofMillis(1_400));
        } finally {
          redis.thaw();
        }
      }
    }
  }

  /**
   * Regression (measured): a fail-fast exception raised around the swap read "unavailable (no failure)".
   * Now the refusal is made once, with the cause, when the counter opens; and it carries no stack trace,
   * since thousands are thrown a second during an outage.
   */
  @Test
  void failFastRefusal_namesTheCause_andCarriesNoStackTrace() {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("refusal").build()) {
      redis.kill();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
      for (int i = 0; i < 100; i++) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Writes.get(s, "k"));
        assertThat(t).isInstanceOf(RedisUnavailableException.class);
        assertThat(((RedisUnavailableException) t).failedFast()).isTrue();
        assertThat(t.getMessage()).contains(redis.uri().replace("redis://", "")).contains("connection")
            .doesNotContain("no failure");
        assertThat(t.getStackTrace()).isEmpty();
      }
    }
  }
}
