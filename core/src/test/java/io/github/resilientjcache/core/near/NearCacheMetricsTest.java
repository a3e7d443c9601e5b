package io.github.resilientjcache.core.near;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.resilientjcache.core.metrics.NearCacheMetrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class NearCacheMetricsTest {

  @Test
  void theMeters_readTheNearCacheAndTheJournal_andGoAwayOnClose() {
    NearCache<String> near = new NearCache<>(NearCacheConfig.defaults().withEnabled(true), Ticker.systemTicker(), true);
    near.syncRestored(near.era());
    Journal<String> journal = new Journal<>(10);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    NearCacheMetrics metrics = NearCacheMetrics.bindTo("users", near, journal, registry, List.of());
    try {
      near.written("k", near.ticket("k"), new byte[] {1}, null, 5, NearCache.ETERNAL, near.now());
      near.get("k");
      near.get("absent");
      near.invalidated("k", 9);
      journal.add("failed");
      Tags users = Tags.of("cache", "users");
      assertThat(registry.get("resilientjcache.nearcache.gets").tags(users).tag("result", "hit").functionCounter()
          .count()).isEqualTo(1);
      assertThat(registry.get("resilientjcache.nearcache.gets").tags(users).tag("result", "miss").functionCounter()
          .count()).isEqualTo(1);
      assertThat(registry.get("resilientjcache.nearcache.invalidations").tag("outcome", "applied")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("resilientjcache.journal.size").tags(users).gauge().value()).isEqualTo(1);
    } finally {
      metrics.close();
    }
    assertThat(registry.getMeters()).isEmpty();
  }
}
