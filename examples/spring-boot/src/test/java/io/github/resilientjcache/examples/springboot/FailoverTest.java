package io.github.resilientjcache.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.jcache.ResilientCache;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.CacheManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.client.RestClient;

/**
 * Requests keep coming (reads, updates, quotes) while the primary freezes and the managed service fails over:
 * every request is answered, none with an error, and afterwards every product reads as last written.
 *
 * <p>Readers read products 1 to 20; one writer updates and reads products 21 to 30. Spring's
 * {@code @Cacheable} without {@code sync} may put a value it read before a concurrent {@code @CachePut} (its
 * documented race, whatever the cache), so no key has a reader besides its writer.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
    classes = {Application.class, TestRedis.PrimaryEndpoint.class})
@DirtiesContext
class FailoverTest {

  private static final Logger log = LoggerFactory.getLogger(FailoverTest.class);
  private static final int READ = 20;
  private static final int WRITTEN = 10;
  private static final int READERS = 3;

  @LocalServerPort
  int port;
  @Autowired
  ProductRepository repository;
  @Autowired
  CacheManager cacheManager;
  @Autowired
  PrimaryEndpointRedis redis;

  private final AtomicLong answered = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong slowestNanos = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);

  @BeforeAll
  static void engine() {
    RedisBackend.requireAvailable(); // in the containers execution: skipped without Docker or podman, not in CI
  }

  @Test
  void primaryFrozenThenFailedOver_everyRequestAnswered_noStaleProductAfterwards() throws Exception {
    RestClient http = Http.client(port);
    for (int id = 1; id <= READ + WRITTEN; id++) {
      repository.save(new Product(id, "product " + id, 100L * id));
      http.get().uri("/products/{id}", id).retrieve().body(Product.class);
    }
    redis.awaitReplicaInSync();
    RedisSupervisor supervisor = cacheManager.unwrap(RedisSupervisor.class);

    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      clients.add(client("reader-" + i, () -> {
        long id = 1 + ThreadLocalRandom.current().nextInt(READ);
        if (ThreadLocalRandom.current().nextInt(4) == 0) {
          http.get().uri("/products/{id}/quote", id).retrieve().body(Long.class);
        } else {
          http.get().uri("/products/{id}", id).retrieve().body(Product.class);
        }
      }));
    }
    // One writer, so the last price it set is each of its products' truth; it reads them back too.
    long[] lastPrice = new long[READ + WRITTEN + 1];
    for (int id = 1; id <= READ + WRITTEN; id++) {
      lastPrice[id] = 100L * id;
    }
    clients.add(client("writer", () -> {
      int id = READ + 1 + ThreadLocalRandom.current().nextInt(WRITTEN);
      if (ThreadLocalRandom.current().nextBoolean()) {
        long price = lastPrice[id] + 1;
        http.put().uri("/products/{id}", id).body(new ProductController.ProductBody("product " + id, price))
            .retrieve().body(Product.class);
        lastPrice[id] = price;
      } else {
        Product p = http.get().uri("/products/{id}", id).retrieve().body(Product.class);
        if (p.priceCents() != lastPrice[id]) {
          throw new AssertionError("product " + id + ": read " + p.priceCents() + ", last written " + lastPrice[id]);
        }
      }
    }));
    clients.forEach(Thread::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > 200 || failure.get() != null);
    assertThat(failure.get()).as("no request failed before the fault").isNull();

    redis.freezePrimary();
    await("the supervisor sees the frozen primary").atMost(Duration.ofSeconds(10))
        .until(() -> supervisor.state() != SupervisorState.AVAILABLE || failure.get() != null);
    long atOutage = answered.get();
    await("requests answered and updates journalled while Redis is away").atMost(Duration.ofSeconds(10))
        .until(() -> answered.get() > atOutage + 100 && journalSize("products") > 0 || failure.get() != null);
    int journalled = journalSize("products");
    Map<String, Object> degraded = Http.health(http);
    long duringOutage = answered.get() - atOutage;
    redis.promoteReplica();
    redis.flipDns();
    await("the supervisor on the new primary, journals replayed").atMost(Duration.ofSeconds(20))
        .until(() -> supervisor.generation() > 1 && supervisor.state() == SupervisorState.AVAILABLE
            && replayedAndInSync());
    long before = answered.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> answered.get() > before + 200 || failure.get() != null);
    running.set(false);
    for (Thread t : clients) {
      t.join(30_000);
      assertThat(t.isAlive()).as(t.getName() + " ended: no request hangs").isFalse();
    }

    log.info("requests: {} answered, {} of them while Redis was away, 0 failed; the slowest {} ms", answered.get(),
        duringOutage, slowestNanos.get() / 1_000_000);
    assertThat(failure.get()).as("no request failed").isNull();
    assertThat(duringOutage).as("requests answered while Redis was away").isGreaterThan(100);
    assertThat(degraded.get("status")).as("health while Redis was away").isEqualTo("DEGRADED");
    assertThat(journalled).as("updates while Redis was away became journalled removals").isPositive();

    for (int id = 1; id <= READ + WRITTEN; id++) {
      Product p = http.get().uri("/products/{id}", id).retrieve().body(Product.class);
      assertThat(p.priceCents()).as("product " + id + " as last written").isEqualTo(lastPrice[id]);
    }
    Map<String, Object> health = Http.health(http);
    assertThat(health.get("status")).isEqualTo("UP");
    assertThat((Integer) Http.details(health).get("generation")).isGreaterThan(1);
    assertThat(Http.meter(http, "resilientjcache.redis.rebuilds", "outcome:success")).isGreaterThanOrEqualTo(1);
    assertThat(Http.meter(http, "resilientjcache.redis.recovery")).as("outages timed").isGreaterThanOrEqualTo(1);
  }

  private Thread client(String name, Runnable request) {
    return new Thread(() -> {
      while (running.get() && failure.get() == null) {
        long start = System.nanoTime();
        try {
          request.run();
          answered.incrementAndGet();
          slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        } catch (RuntimeException | AssertionError e) {
          failure.compareAndSet(null, e);
        }
      }
    }, name);
  }

  private int journalSize(String cache) {
    return cacheManager.getCache(cache).unwrap(ResilientCache.class).journalSize();
  }

  private boolean replayedAndInSync() {
    for (String name : cacheManager.getCacheNames()) {
      ResilientCache<?, ?> cache = cacheManager.getCache(name).unwrap(ResilientCache.class);
      if (cache.journalSize() > 0 || cache.nearCache().map(n -> !n.inSync()).orElse(false)) {
        return false;
      }
    }
    return true;
  }
}
