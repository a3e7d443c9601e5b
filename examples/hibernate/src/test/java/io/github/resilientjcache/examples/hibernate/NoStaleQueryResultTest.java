package io.github.resilientjcache.examples.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * "no change"), so that manager's {@code default-query-results-region}, set to {@code clearAfterFailedWrites},
 * owes a clear: it runs the SQL during the outage, and after recovery no SessionFactory serves the result
 * cached before the change.
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
      // B makes the cheap book dear while Redis is away; its timestamp write fails (MISS: a journalled removal).
      b.inTransaction(s -> s.find(Book.class, id).setPriceCents(2500));
      assertThat(dearBooks(b)).as("B, during the outage, runs the SQL: its query results owe a clear")
          .containsExactly("Notes", "Sketch");
      redis.promoteReplica();
      redis.flipDns();

      Caches.awaitRecovered(cacheA, cacheB);
      // B's clear moved the region's epoch; A drops its copies when the message arrives (or when it reads the
      // epoch again after its new client), so A converges on the database's answer and stays there.
      await("A runs the query against the new state").atMost(Duration.ofSeconds(30))
          .until(() -> dearBooks(a).equals(List.of("Notes", "Sketch")));
      assertThat(dearBooks(a)).containsExactly("Notes", "Sketch");
      assertThat(dearBooks(b)).containsExactly("Notes", "Sketch");
    }
  }
}
