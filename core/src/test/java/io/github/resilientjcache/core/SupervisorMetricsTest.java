package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.metrics.SupervisorMetrics;
import io.github.resilientjcache.testkit.RedisTopology;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What an operator watches during an outage, read from a real supervisor against a real Redis. */
class SupervisorMetricsTest {

  @Test
  @SuppressWarnings("try") // the binding is held only to be closed
  void bindTo_whenRedisIsKilledAndRestarted_reportsTheOutageTheRebuildAndTheNewGeneration() {
    var registry = new SimpleMeterRegistry();
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("m").build();
        var metrics = SupervisorMetrics.bindTo(supervisor, registry)) {
      Tags ours = Tags.of("name", "m", "endpoint", supervisor.endpoint());
      assertThat(gauge(registry, "resilientjcache.redis.available", ours)).isEqualTo(1.0);
      assertThat(gauge(registry, "resilientjcache.redis.generation", ours)).isEqualTo(1.0);
      Writes.set(supervisor, "k", "v");
      assertThat(calls(registry, ours, "succeeded")).isGreaterThanOrEqualTo(1);

      redis.kill();
      await().atMost(Duration.ofSeconds(5))
          .until(() -> gauge(registry, "resilientjcache.redis.available", ours) == 0.0);
      assertThatThrownBy(() -> Writes.get(supervisor, "k")).isInstanceOf(RedisUnavailableException.class);
      assertThat(calls(registry, ours, "rejected")).as("failed fast").isGreaterThanOrEqualTo(1);
      assertThat(gauge(registry, "resilientjcache.redis.failure.rate", ours)).isGreaterThanOrEqualTo(-1.0);
      await().atMost(Duration.ofSeconds(10)).until(() -> rebuilds(registry, ours, "failure") >= 1);

      redis.node().start();
      await().atMost(Duration.ofSeconds(15))
          .until(() -> gauge(registry, "resilientjcache.redis.available", ours) == 1.0);
      assertThat(rebuilds(registry, ours, "success")).isGreaterThanOrEqualTo(1);
      Timer recovery = registry.get("resilientjcache.redis.recovery").tags(ours).timer();
      assertThat(recovery.count()).isGreaterThanOrEqualTo(1);
      assertThat(recovery.totalTime(TimeUnit.MILLISECONDS)).isPositive();
      assertThat(gauge(registry, "resilientjcache.redis.generation", ours)).isEqualTo(2.0);
      assertThat(gauge(registry, "resilientjcache.redis.shards.unavailable", ours)).isZero();
    }
  }

  @Test
  void close_removesEveryMeterItRegistered_andLeavesOthersAlone() {
    var registry = new SimpleMeterRegistry();
    registry.counter("someone.else");
    try (var redis = RedisTopology.standalone();
        var supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("m").build()) {
      var metrics = SupervisorMetrics.bindTo(supervisor, registry, List.of(Tag.of("app", "shop")));
      List<Meter> bound = registry.getMeters().stream()
          .filter(m -> !m.getId().getName().equals("someone.else")).toList();
      assertThat(bound).isNotEmpty().allSatisfy(m -> {
        assertThat(m.getId().getTag("name")).isEqualTo("m");
        assertThat(m.getId().getTag("endpoint")).isEqualTo(supervisor.endpoint());
        assertThat(m.getId().getTag("app")).isEqualTo("shop");
      });
      assertThat(bound).extracting(m -> m.getId().getName()).contains("resilientjcache.redis.available",
          "resilientjcache.redis.generation", "resilientjcache.redis.rebuilds", "resilientjcache.redis.recovery",
          "resilientjcache.redis.calls", "resilientjcache.redis.failure.rate",
          "resilientjcache.redis.shards.unavailable");

      metrics.close();

      assertThat(registry.getMeters()).extracting(m -> m.getId().getName()).containsExactly("someone.else");
      metrics.close(); // idempotent
    }
  }

  private static double gauge(SimpleMeterRegistry registry, String name, Tags tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  private static double calls(SimpleMeterRegistry registry, Tags tags, String outcome) {
    return registry.get("resilientjcache.redis.calls").tags(tags).tag("outcome", outcome).functionCounter().count();
  }

  private static double rebuilds(SimpleMeterRegistry registry, Tags tags, String outcome) {
    RequiredSearch search = registry.get("resilientjcache.redis.rebuilds").tags(tags).tag("outcome", outcome);
    return search.counter().count();
  }
}
