package io.github.resilientjcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.core.internal.FailureClassifier.Kind;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisLoadingException;
import org.redisson.client.RedisTryAgainException;
import org.redisson.config.Config;

/**
 * The classifier judged on exceptions that real servers make Redisson throw, the way a call meets them,
 * plus the few answers no test can provoke on demand (LOADING, TRYAGAIN) from their Redisson types.
 */
class FailureClassifierTest {

  private static Throwable thrownBy(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).as("the call should have failed").isNotNull();
    return t;
  }

  @Test
  void applicationErrors_fromARealServer_areNotFailoverSignals() {
    try (var redis = RedisTopology.standalone()) {
      RedissonClient c = Redisson.create(RedisConfigs.standalone(redis));
      try {
        c.getList("a-list").add("x");
        Throwable wrongType = thrownBy(() -> c.getBucket("a-list").get());
        assertThat(wrongType).hasMessageContaining("WRONGTYPE");
        assertThat(FailureClassifier.classify(wrongType)).isEqualTo(Kind.APPLICATION);

        Throwable scriptError = thrownBy(() -> c.getScript().eval(RScript.Mode.READ_WRITE, "error('boom')",
            RScript.ReturnType.VALUE));
        assertThat(FailureClassifier.classify(scriptError)).isEqualTo(Kind.APPLICATION);

        Throwable unknown = thrownBy(() -> c.getScript().eval(RScript.Mode.READ_WRITE,
            "return redis.call('nosuchcommand')", RScript.ReturnType.VALUE));
        assertThat(FailureClassifier.classify(unknown)).isEqualTo(Kind.APPLICATION);
      } finally {
        c.shutdown();
      }
    }
  }

  @Test
  void writesToADemotedPrimary_plainAndInsideAScript_areReadonly() {
    try (var redis = RedisTopology.primaryWithReplica()) {
      Config config = RedisConfigs.node(redis.replica());
      RedissonClient c = Redisson.create(config);
      try {
        Throwable plain = thrownBy(() -> c.getBucket("k").set("v"));
        assertThat(FailureClassifier.classify(plain)).isEqualTo(Kind.READONLY);

        // Redis 6 wraps this one as "ERR Error running script ... -READONLY ...", Redis 7 does not.
        Throwable inScript = thrownBy(() -> c.getScript().eval(RScript.Mode.READ_WRITE,
            "return redis.call('SET', KEYS[1], 'v')", RScript.ReturnType.VALUE, List.of("k")));
        assertThat(inScript).hasMessageContaining("READONLY");
        assertThat(FailureClassifier.classify(inScript)).isEqualTo(Kind.READONLY);
      } finally {
        c.shutdown();
      }
    }
  }

  @Test
  void deadFrozenAndShutDown_areFailoverSignals() {
    try (var redis = RedisTopology.standalone()) {
      RedissonClient c = Redisson.create(RedisConfigs.standalone(redis));
      try {
        redis.freeze();
        Throwable timeout = thrownBy(() -> c.getBucket("k").get());
        assertThat(FailureClassifier.classify(timeout)).isEqualTo(Kind.TIMEOUT);
        redis.thaw();

        redis.kill();
        Throwable refused = thrownBy(() -> c.getBucket("k").get());
        assertThat(FailureClassifier.classify(refused)).isEqualTo(Kind.CONNECTION);
      } finally {
        c.shutdown();
      }
      Throwable shutdown = thrownBy(() -> c.getBucket("k").get());
      assertThat(FailureClassifier.classify(shutdown)).isEqualTo(Kind.SHUTDOWN);
      assertThat(Kind.SHUTDOWN.replacesClient()).isTrue();
    }
  }

  @Test
  void asyncFailures_areClassifiedThroughTheirCompletionWrapper() {
    try (var redis = RedisTopology.standalone()) {
      RedissonClient c = Redisson.create(RedisConfigs.standalone(redis));
      try {
        redis.kill();
        Throwable wrapped = thrownBy(() -> c.getBucket("k").getAsync().toCompletableFuture().join());
        assertThat(wrapped).isInstanceOf(CompletionException.class);
        assertThat(FailureClassifier.classify(wrapped)).isEqualTo(Kind.CONNECTION);
        assertThat(FailureClassifier.unwrap(wrapped)).isNotInstanceOf(CompletionException.class);
      } finally {
        c.shutdown();
      }
    }
  }

  @Test
  void wrongPasswordAndMissingPassword_areAuthentication_neverFailover() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password("right-pw"))) {
      Config wrong = RedisConfigs.standalone(redis);
      wrong.setPassword("wrong-pw");
      Throwable wrongPassword = thrownBy(() -> Redisson.create(wrong).shutdown());
      assertThat(FailureClassifier.classify(wrongPassword)).isEqualTo(Kind.AUTHENTICATION);
      assertThat(FailureClassifier.classify(wrongPassword).isFailoverSignal()).isFalse();

      Throwable missing = thrownBy(() -> Redisson.create(RedisConfigs.standalone(redis)).shutdown());
      assertThat(FailureClassifier.classify(missing)).isEqualTo(Kind.AUTHENTICATION);
    }
  }

  @Test
  void topologyChanges_areFailoverSignalsButNotStrong() {
    assertThat(FailureClassifier.classify(new RedisLoadingException("LOADING Redis is loading"))).isEqualTo(Kind.TOPOLOGY);
    assertThat(FailureClassifier.classify(new RedisTryAgainException("TRYAGAIN"))).isEqualTo(Kind.TOPOLOGY);
    assertThat(Kind.TOPOLOGY.isFailoverSignal()).isTrue();
    assertThat(Kind.TOPOLOGY.replacesClient()).isFalse();
  }

  /** Regression (review finding 5): a script running too long makes Redis answer BUSY: not a failover. */
  @Test
  void busyServer_isOverload_notAFailover() throws Exception {
    try (var redis = RedisTopology.standalone()) {
      redis.node().call("CONFIG", "SET", "lua-time-limit", "100");
      RedissonClient c = Redisson.create(RedisConfigs.standalone(redis));
      Thread busy = new Thread(() -> {
        try (var raw = redis.node().connect(java.time.Duration.ofSeconds(30))) {
          raw.send("EVAL", "while true do end", "0");
        } catch (RuntimeException e) {
          // killed, as intended
        }
      });
      try {
        busy.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
          try {
            c.getBucket("k").get();
            return false;
          } catch (RuntimeException e) {
            return String.valueOf(e.getMessage()).contains("BUSY");
          }
        });
        Throwable t = thrownBy(() -> c.getBucket("k").get());
        assertThat(FailureClassifier.classify(t)).isEqualTo(Kind.OVERLOAD);
        assertThat(Kind.OVERLOAD.isFailoverSignal()).isFalse();
      } finally {
        io.github.resilientjcache.testkit.RespClient.call(redis.node().host(), redis.node().port(),
            java.time.Duration.ofSeconds(5), "SCRIPT", "KILL");
        busy.join(10_000);
        c.shutdown();
      }
    }
  }

  /** Regression (review finding 5): a primary cut off from its replicas refuses writes (NOREPLICAS). */
  @Test
  void noReplicas_isATopologyChange() {
    try (var redis = RedisTopology.standalone()) {
      redis.node().call("CONFIG", "SET", "min-replicas-to-write", "1");
      RedissonClient c = Redisson.create(RedisConfigs.standalone(redis));
      try {
        Throwable t = thrownBy(() -> c.getBucket("k").set("v"));
        assertThat(t).hasMessageContaining("NOREPLICAS");
        assertThat(FailureClassifier.classify(t)).isEqualTo(Kind.TOPOLOGY);
        assertThat(Kind.TOPOLOGY.refusedBeforeRunning()).isTrue();
      } finally {
        c.shutdown();
      }
    }
  }

  /**
   * Regression (review finding 5): with the pool's only connection held by a blocking command, a call
   * cannot get a connection in time: a burst on the client's side, not a failover.
   */
  @Test
  void poolExhausted_isOverload_notAFailover() {
    try (var redis = RedisTopology.standalone()) {
      Config config = RedisConfigs.standalone(redis);
      config.useSingleServer().setConnectionPoolSize(1).setConnectionMinimumIdleSize(1).setTimeout(300)
          .setRetryAttempts(0);
      RedissonClient c = Redisson.create(config);
      try {
        var held = c.getBlockingQueue("q").pollAsync(3, java.util.concurrent.TimeUnit.SECONDS);
        Throwable t = thrownBy(() -> c.getBucket("k").get());
        assertThat(t).hasMessageContaining("Unable to acquire connection");
        assertThat(FailureClassifier.classify(t)).isEqualTo(Kind.OVERLOAD);
        held.toCompletableFuture().join();
      } finally {
        c.shutdown();
      }
    }
  }

  @Test
  void unknownSlotNodeAndUnmetWait_areClassifiedToo() {
    assertThat(FailureClassifier.classify(new org.redisson.client.RedisNodeNotFoundException("Node for slot: 7"
        + " hasn't been discovered yet"))).isEqualTo(Kind.TOPOLOGY);
    assertThat(FailureClassifier.classify(new org.redisson.client.RedisWaitException("Only 0 of 1 slaves were"
        + " synced"))).isEqualTo(Kind.OVERLOAD);
    assertThat(FailureClassifier.classify(new org.redisson.client.RedisException("NOPERM User app has no"
        + " permissions to run the 'info' command"))).isEqualTo(Kind.PERMISSION);
  }
}
