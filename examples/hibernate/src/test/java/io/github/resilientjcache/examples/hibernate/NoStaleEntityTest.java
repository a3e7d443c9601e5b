package io.github.resilientjcache.examples.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import javax.cache.CacheManager;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * Two SessionFactories on one database, each with its own cache manager (its own JVM's near cache). One
 * commits an update while Redis is away; once both are back, the other reads the new state, not its cached
 * old one: the failed eviction was journalled and replayed.
 */
class NoStaleEntityTest {

  private static long price(SessionFactory sf, long bookId) {
    return sf.fromSession(s -> s.find(Book.class, bookId)).getPriceCents();
  }

  @Test
  void updateCommittedDuringTheOutage_isSeenByTheOtherSessionFactoryAfterRecovery() {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica();
        CacheManager cacheA = Caches.manager(redis);
        CacheManager cacheB = Caches.manager(redis);
        SessionFactory a = Caches.sessionFactory("stale", cacheA);
        SessionFactory b = Caches.sessionFactory("stale", cacheB)) {
      long[] ids = a.fromTransaction(s -> {
        Author author = new Author("alan@example.org", "Alan");
        s.persist(author);
        Book book = new Book("Computable numbers", 1000, author);
        Book marker = new Book("Intelligent machinery", 1000, author);
        s.persist(book);
        s.persist(marker);
        return new long[] {book.getId(), marker.getId()};
      });
      long id = ids[0];
      long marker = ids[1];
      // Both read them: cached in Redis and in both near caches.
      for (long i : ids) {
        assertThat(price(a, i)).isEqualTo(1000);
        assertThat(price(b, i)).isEqualTo(1000);
      }
      a.getStatistics().clear();
      assertThat(price(a, id)).isEqualTo(1000);
      assertThat(a.getStatistics().getSecondLevelCacheHitCount()).as("A answers from its cache").isEqualTo(1);
      redis.awaitReplicaInSync();

      redis.killPrimary();
      // B commits a new price while Redis is away: its cache writes become journalled removals (MISS).
      b.inTransaction(s -> s.find(Book.class, id).setPriceCents(2000));
      assertThat(Caches.journalSize(cacheB, Book.class.getName())).as("B's failed cache writes are journalled")
          .isPositive();
      redis.promoteReplica();
      redis.flipDns();

      Caches.awaitRecovered(cacheA, cacheB);
      // A causal barrier, not a pause: B changes the marker after its replay; once A sees that change, it has
      // had every earlier message of the region's channel, the replay's removal included.
      assertThat(price(a, marker)).isEqualTo(1000); // held by A
      b.inTransaction(s -> s.find(Book.class, marker).setPriceCents(3000));
      await("A sees B's later change").atMost(Duration.ofSeconds(30))
          .until(() -> price(a, marker) == 3000);
      assertThat(price(a, id)).as("A reads B's committed update")
          .isEqualTo(2000);
      assertThat(price(b, id)).isEqualTo(2000);
    }
  }
}
