package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
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
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("t").build()) {
      assertThat(supervisor.state()).isEqualTo(SupervisorState.AVAILABLE);
      assertThat(supervisor.generation()).isEqualTo(1);
      supervisor.execute(Idempotence.IDEMPOTENT, s -> s.client().getBucket("k").setAsync("v"));
      String value = supervisor.execute(Idempotence.READ, s -> s.client().<String>getBucket("k").getAsync());
      assertThat(value).isEqualTo("v");
      assertThat(redis.node().call("GET", "k")).isEqualTo("v");
    }
  }

  @Test
  void killedAndRestarted_failsFastThenRecoversWithANewGeneration() {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("t").build()) {
      redis.kill();
      await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.state() == SupervisorState.UNAVAILABLE);
      long start = System.nanoTime();
      assertThatThrownBy(() -> supervisor.execute(Idempotence.IDEMPOTENT, s -> s.client().getBucket("k").getAsync()))
          .isInstanceOf(RedisUnavailableException.class)
          .satisfies(e -> assertThat(((RedisUnavailableException) e).failedFast()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
      redis.node().start();
      await().atMost(Duration.ofSeconds(15)).until(() -> supervisor.state() == SupervisorState.AVAILABLE);
      assertThat(supervisor.generation()).isEqualTo(2);
      supervisor.execute(Idempotence.IDEMPOTENT, s -> s.client().getBucket("k").setAsync("v2"));
      assertThat(redis.node().call("GET", "k")).isEqualTo("v2");
    }
  }

  @Test
  void executeAsync_completesWithTheValue_andFailsFastWhileUnavailable() throws Exception {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("async").build()) {
      supervisor.executeAsync(Idempotence.IDEMPOTENT, s -> s.client().getBucket("k").setAsync("v")).toCompletableFuture()
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
      Object value = supervisor.executeAsync(Idempotence.READ, s -> s.client().getBucket("k").getAsync())
          .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(value).isEqualTo("v");

      redis.kill();
      await().atMost(Duration.ofSeconds(5)).until(() -> supervisor.state() == SupervisorState.UNAVAILABLE);
      long start = System.nanoTime();
      var failed = supervisor.executeAsync(Idempotence.IDEMPOTENT, s -> s.client().getBucket("k").getAsync())
          .toCompletableFuture();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("returned without blocking").isLessThan(Duration.ofMillis(100));
      assertThat(failed).failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(RedisUnavailableException.class);
    }
  }

  @Test
  void execute_applicationError_reachesTheCallerUnchanged_andCountsNoFailure() {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("app-error").build()) {
      supervisor.execute(Idempotence.NON_IDEMPOTENT, s -> s.client().getList("a-list").addAsync("x"));
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> supervisor.execute(Idempotence.IDEMPOTENT, s -> s.client().getBucket("a-list").getAsync()))
            .isInstanceOf(org.redisson.client.RedisException.class)
            .isNotInstanceOf(RedisUnavailableException.class)
            .hasMessageContaining("WRONGTYPE");
      }
      assertThat(supervisor.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
      assertThat(supervisor.state()).isEqualTo(SupervisorState.AVAILABLE);
    }
  }

  @Test
  void builder_fromAConfigFile_usesItsRedissonPartAndItsResilienceSection() {
    try (var redis = RedisTopology.standalone()) {
      String yaml = """
          singleServerConfig:
            address: "%s"
            timeout: 1000
            retryAttempts: 1
          codec: !<org.redisson.client.codec.StringCodec> {}
          resilience:
            probeInterval: 250ms
            rebuildBackoffMax: 4s
          nearCache:
            enabled: true
          """.formatted(redis.uri());
      var file = io.github.resilientjcache.core.config.ConfigFile.parse(yaml, "test.yaml");
      try (var supervisor = RedisSupervisor.builder(file).name("from-file").build()) {
        assertThat(supervisor.resilience().probeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(supervisor.resilience().rebuildBackoffMax()).isEqualTo(Duration.ofSeconds(4));
        assertThat(supervisor.resilience().probeTimeout()).as("a default").isEqualTo(Duration.ofMillis(500));
        Writes.set(supervisor, "k", "from-file");
        assertThat(redis.node().call("GET", "k")).isEqualTo("from-file");
      }
    }
  }

  /** Regression: GenerationChanged used to be published while the counter was still open. */
  @Test
  void generationChangedListener_canAlreadyUseTheNewGeneration() {
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("rebind").build()) {
      var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
      supervisor.events().onGenerationChanged(e -> {
        seen.add(supervisor.state() + " " + e.generation());
        Writes.set(supervisor, "rebound", Long.toString(e.generation()));
      });
      supervisor.requestRebuild("test");
      await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
      assertThat(seen).containsExactly("AVAILABLE 2");
      assertThat(redis.node().call("GET", "rebound")).isEqualTo("2");
    }
  }
}
