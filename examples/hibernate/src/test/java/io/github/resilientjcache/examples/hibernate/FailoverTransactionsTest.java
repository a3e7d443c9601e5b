package io.github.resilientjcache.examples.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.cache.CacheManager;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream of transactions (read a book, change its price, commit) through a primary failover: none fails,
 * because the regions' onUnavailable is MISS (a cache exception would roll the transaction back).
 */
class FailoverTransactionsTest {

  private static final Logger log = LoggerFactory.getLogger(FailoverTransactionsTest.class);
  private static final int BOOKS = 20;

  @Test
  void primaryFrozenThenFailedOver_noTransactionFails() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager manager = Caches.manager(redis);
        SessionFactory sf = Caches.sessionFactory("failover", manager)) {
      List<Long> ids = sf.fromTransaction(s -> {
        Author a = new Author("grace@example.org", "Grace");
        s.persist(a);
        List<Long> made = new ArrayList<>();
        for (int i = 0; i < BOOKS; i++) {
          Book b = new Book("book " + i, 1000 + i, a);
          s.persist(b);
          made.add(b.getId());
        }
        return made;
      });
      redis.awaitReplicaInSync();
      RedisSupervisor supervisor = manager.unwrap(RedisSupervisor.class);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong committed = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer = new Thread(() -> {
        while (running.get() && failure.get() == null) {
          long id = ids.get(ThreadLocalRandom.current().nextInt(BOOKS));
          try {
            sf.inTransaction(s -> {
              Book b = s.find(Book.class, id);
              b.setPriceCents(b.getPriceCents() + 1);
            });
            committed.incrementAndGet();
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }
      }, "transactions");
      writer.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > 50 || failure.get() != null);
      assertThat(failure.get()).as("no transaction failed before the fault").isNull();

      redis.freezePrimary();
      await("the supervisor sees the frozen primary").atMost(Duration.ofSeconds(10))
          .until(() -> supervisor.state() != SupervisorState.AVAILABLE || failure.get() != null);
      long atOutage = committed.get();
      // Transactions go on while Redis is away (regions miss and journal), before the managed failover:
      await("transactions during the outage").atMost(Duration.ofSeconds(10))
          .until(() -> committed.get() > atOutage + 20 || failure.get() != null);
      long duringOutage = committed.get() - atOutage;
      redis.promoteReplica();
      redis.flipDns();
      await("the supervisor on the new primary").atMost(Duration.ofSeconds(20))
          .until(() -> supervisor.generation() > 1 && supervisor.state() == SupervisorState.AVAILABLE
              && Caches.inSync(manager));
      long before = committed.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> committed.get() > before + 50 || failure.get() != null);
      running.set(false);
      writer.join(30_000);
      assertThat(writer.isAlive()).as("no transaction hangs").isFalse();

      log.info("transactions: {} committed, {} of them while Redis was away, 0 failed", committed.get(),
          duringOutage);
      assertThat(failure.get()).as("no transaction failed").isNull();
      assertThat(duringOutage).as("transactions went on while Redis was away").isGreaterThan(20);
      long total = sf.fromTransaction(s -> s.createSelectionQuery("select sum(priceCents) from Book", Long.class)
          .getSingleResult());
      long start = 0;
      for (int i = 0; i < BOOKS; i++) {
        start += 1000 + i;
      }
      assertThat(total - start).as("every committed transaction's update is in the database")
          .isEqualTo(committed.get());
    }
  }
}
