package io.github.resilientjcache.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.RedisTopology;
import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the app sees through a managed failover (kill -9 the primary, promote the replica, flip the DNS name):
 * it keeps reading its products the whole time, and writes work again once the client follows the name.
 */
class QuickstartFailoverTest {

  private static final int PRODUCTS = 50;

  @Test
  void primaryKilledAndNameFlipped_readsNeverFail_andWritesComeBack() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica()) {
      Properties props = new Properties();
      // The Redisson part from code (for the test's DNS name); the near cache and caches from the same file.
      props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, RedisConfigs.primaryEndpoint(redis));
      try (Catalog catalog = Catalog.open(URI.create("classpath:quickstart.yaml"), props)) {
        for (int i = 0; i < PRODUCTS; i++) {
          catalog.add(new Product("sku-" + i, "product " + i, 100 + i, 5));
        }
        for (int i = 0; i < PRODUCTS; i++) {
          assertThat(catalog.find("sku-" + i)).isNotNull();
        }
        redis.awaitReplicaInSync();
        RedisSupervisor supervisor = catalog.products().getCacheManager().unwrap(RedisSupervisor.class);

        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
          while (reading.get() && failure.get() == null) {
            for (int i = 0; i < PRODUCTS && failure.get() == null; i++) {
              try {
                Product p = catalog.find("sku-" + i);
                if (p == null || p.priceCents() != 100 + i) {
                  failure.compareAndSet(null, new AssertionError("sku-" + i + " read as " + p));
                }
                reads.incrementAndGet();
              } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
              }
            }
          }
        }, "quickstart-reader");
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() > PRODUCTS);

        long atKill = reads.get();
        redis.failover();
        await("a write succeeds on the new primary").atMost(Duration.ofSeconds(20)).ignoreExceptions()
            .untilAsserted(() -> {
              catalog.add(new Product("after", "written after the failover", 1, 1));
              assertThat(supervisor.state()).isEqualTo(SupervisorState.AVAILABLE);
            });
        long readsThrough = reads.get() - atKill;
        reading.set(false);
        reader.join(30_000);

        assertThat(reader.isAlive()).as("no read hangs").isFalse();
        assertThat(failure.get()).as("no read failed during the failover").isNull();
        assertThat(readsThrough).as("reads went on from the kill until writes worked again").isGreaterThan(PRODUCTS);
        assertThat(supervisor.generation()).as("the client was rebuilt on the new primary").isGreaterThan(1);
        assertThat(catalog.reserve("sku-1", 2)).isTrue();
        assertThat(catalog.find("sku-1").stock()).isEqualTo(3);
        assertThat(catalog.find("after")).isNotNull();
      }
    }
  }
}
