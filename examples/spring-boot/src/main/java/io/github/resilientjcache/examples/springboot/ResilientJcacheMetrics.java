package io.github.resilientjcache.examples.springboot;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.metrics.NearCacheMetrics;
import io.github.resilientjcache.core.metrics.SupervisorMetrics;
import io.github.resilientjcache.jcache.ResilientCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import javax.cache.CacheManager;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Publishes the supervisor's meters ({@code resilientjcache.redis.*}: available, generation, rebuilds,
 * recovery, calls) and every cache's near cache and journal meters ({@code resilientjcache.nearcache.*},
 * {@code resilientjcache.journal.*}) to the application's registry. Spring Boot binds every
 * {@link MeterBinder} bean once its registry is ready, after the caches of {@code spring.cache.cache-names}
 * were created; Spring Boot's own {@code cache.*} meters come from the caches' JCache statistics beans.
 */
@Component
public class ResilientJcacheMetrics implements MeterBinder, DisposableBean {

  private final CacheManager cacheManager;
  private final List<AutoCloseable> bindings = new ArrayList<>();

  public ResilientJcacheMetrics(CacheManager cacheManager) {
    this.cacheManager = cacheManager;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    bindings.add(SupervisorMetrics.bindTo(cacheManager.unwrap(RedisSupervisor.class), registry));
    for (String name : cacheManager.getCacheNames()) {
      ResilientCache<?, ?> cache = cacheManager.getCache(name).unwrap(ResilientCache.class);
      bindings.add(NearCacheMetrics.bindTo(name, cache.nearCache().orElse(null), cache.journal(), registry,
          Tags.empty()));
    }
  }

  @Override
  public synchronized void destroy() throws Exception {
    for (AutoCloseable binding : bindings) {
      binding.close();
    }
    bindings.clear();
  }
}
