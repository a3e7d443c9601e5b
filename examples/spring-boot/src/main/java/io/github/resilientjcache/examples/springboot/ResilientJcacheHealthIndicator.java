package io.github.resilientjcache.examples.springboot;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.jcache.ResilientCache;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.cache.CacheManager;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Actuator's {@code resilientJcache} health component: the supervisor's state, its client's generation, and
 * per cache whether its near cache is in sync and how many removals its journal owes Redis.
 *
 * <p>While Redis is away the status is {@code DEGRADED}, not {@code DOWN}: the application keeps answering
 * (reads from the near cache or the repository, writes as journalled removals), so an orchestrator must not
 * take it out of service for that; {@code application.yaml} maps the status to HTTP 200 and orders it
 * between {@code OUT_OF_SERVICE} and {@code UP}. It reads only what the supervisor keeps: a health check
 * sends nothing to Redis.
 */
@Component
public class ResilientJcacheHealthIndicator implements HealthIndicator {

  /** Redis is away: the caches answer from their near caches and journal their writes. */
  public static final Status DEGRADED = new Status("DEGRADED", "Redis unreachable: serving from near caches");

  private final CacheManager cacheManager;

  public ResilientJcacheHealthIndicator(CacheManager cacheManager) {
    this.cacheManager = cacheManager;
  }

  @Override
  public Health health() {
    RedisSupervisor supervisor = cacheManager.unwrap(RedisSupervisor.class);
    Health.Builder health = switch (supervisor.state()) {
      case AVAILABLE -> Health.up();
      case UNAVAILABLE -> Health.status(DEGRADED);
      case CLOSED -> Health.down();
    };
    Map<String, Object> caches = new LinkedHashMap<>();
    for (String name : cacheManager.getCacheNames()) {
      ResilientCache<?, ?> cache = cacheManager.getCache(name).unwrap(ResilientCache.class);
      Map<String, Object> detail = new LinkedHashMap<>();
      cache.nearCache().ifPresent(near -> {
        detail.put("nearCacheInSync", near.inSync());
        detail.put("nearCacheSize", near.size());
      });
      detail.put("journalSize", cache.journalSize());
      caches.put(name, detail);
    }
    return health.withDetail("state", supervisor.state().name())
        .withDetail("endpoint", supervisor.endpoint())
        .withDetail("generation", supervisor.generation())
        .withDetail("rebuilds", supervisor.rebuildCount())
        .withDetail("caches", caches)
        .build();
  }
}
