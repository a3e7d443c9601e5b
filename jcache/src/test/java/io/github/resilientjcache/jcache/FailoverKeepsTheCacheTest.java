package io.github.resilientjcache.jcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.RedisTopology;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.expiry.CreatedExpiryPolicy;
import org.junit.jupiter.api.Test;

/**
 * The same Cache object through the failovers of a managed primary endpoint: it keeps its listeners, its
 * statistics and its expiry policy, and works again on the new primary without being recreated.
 */
class FailoverKeepsTheCacheTest {

  /** Keys of the entries a listener heard created. */
  public static final class Created implements CacheEntryCreatedListener<String, String> {
    static final List<String> keys = new CopyOnWriteArrayList<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
      events.forEach(e -> keys.add(e.getKey()));
    }
  }

  private interface Fault {
    void run(PrimaryEndpointRedis redis);
  }

  @Test
  void throughAKillPromoteAndDnsFlip() throws Exception {
    failover(redis -> {
      redis.killPrimary();
      redis.promoteReplica();
      redis.flipDns();
    });
  }

  /** The old primary comes back as a replica behind the old address: writes there get READONLY. */
  @Test
  void throughADemoteBehindTheOldAddress() throws Exception {
    failover(redis -> {
      redis.promoteReplica();
      redis.demoteOldPrimary();
      redis.flipDns();
    });
  }

  private void failover(Fault fault) throws Exception {
    Created.keys.clear();
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica()) {
      Properties props = new Properties();
      props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, RedisConfigs.primaryEndpoint(redis));
      try (CacheManager manager = Caching.getCachingProvider(ResilientCachingProvider.NAME)
          .getCacheManager(URI.create("memory:failover-keeps"), getClass().getClassLoader(), props)) {
        Cache<String, String> c = manager.createCache("kept", new MutableConfiguration<String, String>()
            .setTypes(String.class, String.class).setStatisticsEnabled(true)
            .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(
                new javax.cache.expiry.Duration(TimeUnit.MINUTES, 5)))
            .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                FactoryBuilder.factoryOf(Created.class), null, false, true)));
        long generation = manager.unwrap(RedisSupervisor.class).generation();
        c.put("before", "1");
        assertThat(c.get("before")).isEqualTo("1");
        redis.awaitReplicaInSync();

        fault.run(redis);

        RedisSupervisor supervisor = manager.unwrap(RedisSupervisor.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> supervisor.generation() > generation
            && supervisor.state() == SupervisorState.AVAILABLE);
        c.put("after", "2");
        assertThat(c.get("before")).as("replicated before the failover").isEqualTo("1");
        assertThat(Created.keys).as("the listener, still registered").containsExactly("before", "after");
        ResilientCache<?, ?> cache = c.unwrap(ResilientCache.class);
        assertThat(cache.statistics().getCachePuts()).as("statistics kept, counting on").isGreaterThanOrEqualTo(2);
        assertThat(cache.statistics().getCacheHits()).isGreaterThanOrEqualTo(2);
        Object ttl = redis.primary().call("PTTL", "rjc:kept:0:s:after");
        assertThat((Long) ttl).as("the expiry policy, applied on the new primary").isBetween(1L, 300_000L);
      }
    }
  }
}
