package io.github.resilientjcache.examples.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import javax.cache.CacheManager;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * The query cache through an outage: a cached query's tables change through another SessionFactory while
 * Redis is away. Its update timestamp cannot be written (a journalled removal, which Hibernate would read as
 * "no change"); {@code default-query-results-region} is set to {@code clearAfterOutage}, so through the
 * outage it answers nothing (Hibernate runs the SQL), and after it each manager clears it before serving from
 * it: no SessionFactory serves the result cached before the change.
 */
class NoStaleQueryResultTest {

  private static final String QUERY = "select b.title from Book b where b.priceCents >= :p order by b.title";

  private static List<String> dearBooks(SessionFactory sf) {
    return sf.fromSession(s -> s.createSelectionQuery(QUERY, String.class).setParameter("p", 2000)
        .setCacheable(true).getResultList());
  }

  @Test
  void tableChangedDuringTheOutage_noSessionFactoryServesTheOldQueryResult() {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager cacheA = Caches.manager(redis);
        CacheManager cacheB = Caches.manager(redis);
        SessionFactory a = Caches.sessionFactory("queries", cacheA);
        SessionFactory b = Caches.sessionFactory("queries", cacheB)) {
      long id = a.fromTransaction(s -> {
        Author author = new Author("ada@example.org", "Ada");
        s.persist(author);
        s.persist(new Book("Notes", 3000, author));
        Book cheap = new Book("Sketch", 1000, author);
        s.persist(cheap);
        return cheap.getId();
      });
      assertThat(dearBooks(a)).containsExactly("Notes");
      assertThat(dearBooks(b)).containsExactly("Notes");
      a.getStatistics().clear();
      assertThat(dearBooks(a)).containsExactly("Notes");
      assertThat(a.getStatistics().getQueryCacheHitCount()).as("A answers the query from its cache").isEqualTo(1);
      redis.awaitReplicaInSync();

      redis.killPrimary();
      RedisSupervisor supA = cacheA.unwrap(RedisSupervisor.class);
      RedisSupervisor supB = cacheB.unwrap(RedisSupervisor.class);
      await("both cache managers find Redis away").atMost(Duration.ofSeconds(10)).until(() -> {
        a.inSession(s -> s.find(Book.class, -1L)); // a region miss: a failed call for the supervisor to count
        b.inSession(s -> s.find(Book.class, -1L));
        return supA.state() == SupervisorState.UNAVAILABLE && supB.state() == SupervisorState.UNAVAILABLE;
      });
      // B makes the cheap book dear while Redis is away; its timestamp write fails (MISS: a journalled removal).
      b.inTransaction(s -> s.find(Book.class, id).setPriceCents(2500));
      assertThat(dearBooks(b)).as("B, during the outage, runs the SQL").containsExactly("Notes", "Sketch");
      a.getStatistics().clear();
      assertThat(dearBooks(a)).as("A, during the outage, runs the SQL too").containsExactly("Notes", "Sketch");
      assertThat(a.getStatistics().getQueryCacheHitCount()).isZero();
      redis.promoteReplica();
      redis.flipDns();

      await("both cache managers on the new primary").atMost(Duration.ofSeconds(30))
          .until(() -> supA.state() == SupervisorState.AVAILABLE && supB.state() == SupervisorState.AVAILABLE
              && supA.generation() > 1 && supB.generation() > 1);
      // No waiting for the clears: a read of the region waits for its own manager's clear.
      assertThat(dearBooks(a)).as("A after recovery").containsExactly("Notes", "Sketch");
      assertThat(dearBooks(b)).as("B after recovery").containsExactly("Notes", "Sketch");
    }
  }
}
