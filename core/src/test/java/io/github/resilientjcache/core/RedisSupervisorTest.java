package io.github.resilientjcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisSupervisorTest {

  @Test
  void execute_readsAndWritesThroughTheCurrentClient() {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(TestConfigs.standalone(redis)).name("t").build()) {
      assertThat(supervisor.state()).isEqualTo(SupervisorState.AVAILABLE);
      assertThat(supervisor.generation()).isEqualTo(1);
      supervisor.execute(Idempotence.IDEMPOTENT, c -> {
        c.getBucket("k").set("v");
        return null;
      });
      String value = supervisor.execute(Idempotence.IDEMPOTENT, c -> c.<String>getBucket("k").get());
      assertThat(value).isEqualTo("v");
      assertThat(redis.node().call("GET", "k")).isEqualTo("v");
    }
  }

  @Test
  void killedAndRestarted_failsFastThenRecoversWithANewGeneration() {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(TestConfigs.standalone(redis)).name("t").build()) {
      redis.kill();
      await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.state() == SupervisorState.UNAVAILABLE);
      long start = System.nanoTime();
      assertThatThrownBy(() -> supervisor.execute(Idempotence.IDEMPOTENT, c -> c.getBucket("k").get()))
          .isInstanceOf(RedisUnavailableException.class)
          .satisfies(e -> assertThat(((RedisUnavailableException) e).failedFast()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      redis.node().start();
      await().atMost(Duration.ofSeconds(15)).until(() -> supervisor.state() == SupervisorState.AVAILABLE);
      assertThat(supervisor.generation()).isEqualTo(2);
      supervisor.execute(Idempotence.IDEMPOTENT, c -> {
        c.getBucket("k").set("v2");
        return null;
      });
      assertThat(redis.node().call("GET", "k")).isEqualTo("v2");
    }
  }
}
