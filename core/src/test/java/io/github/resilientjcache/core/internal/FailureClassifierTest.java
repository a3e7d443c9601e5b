package io.github.resilientjcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.resilientjcache.core.TestConfigs;
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
      RedissonClient c = Redisson.create(TestConfigs.standalone(redis));
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
      Config config = TestConfigs.node(redis.replica());
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
      RedissonClient c = Redisson.create(TestConfigs.standalone(redis));
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
      RedissonClient c = Redisson.create(TestConfigs.standalone(redis));
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
      Config wrong = TestConfigs.standalone(redis);
      wrong.setPassword("wrong-pw");
      Throwable wrongPassword = thrownBy(() -> Redisson.create(wrong).shutdown());
      assertThat(FailureClassifier.classify(wrongPassword)).isEqualTo(Kind.AUTHENTICATION);
      assertThat(FailureClassifier.classify(wrongPassword).isFailoverSignal()).isFalse();

      Throwable missing = thrownBy(() -> Redisson.create(TestConfigs.standalone(redis)).shutdown());
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
}
