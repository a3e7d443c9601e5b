package io.github.resilientjcache.examples.springboot;

import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import org.springframework.boot.cache.autoconfigure.JCachePropertiesCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The test's Redis as beans of the application context, so the context stops them after its cache manager.
 * The Redisson part of the config comes from code (the testkit's addresses and DNS name), through Spring Boot's
 * {@link JCachePropertiesCustomizer}; the near cache and the caches' settings still come from
 * {@code spring-cache.yaml}.
 */
final class TestRedis {

  private TestRedis() {}

  @TestConfiguration(proxyBeanMethods = false)
  static class Standalone {
    @Bean(destroyMethod = "close")
    StandaloneRedis redis() {
      return RedisTopology.standalone();
    }

    @Bean
    JCachePropertiesCustomizer redisOfTheTest(StandaloneRedis redis) {
      return props -> props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, RedisConfigs.standalone(redis));
    }
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class PrimaryEndpoint {
    @Bean(destroyMethod = "close")
    PrimaryEndpointRedis redis() {
      return RedisTopology.primaryWithReplica();
    }

    @Bean
    JCachePropertiesCustomizer redisOfTheTest(PrimaryEndpointRedis redis) {
      return props -> props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY,
          RedisConfigs.primaryEndpoint(redis));
    }
  }
}
