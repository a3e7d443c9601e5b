package io.github.resilientjcache.examples.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.util.List;
import java.util.Map;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hibernate's statistics show the second-level cache at work: hits, and no SQL for what it answered. */
class SecondLevelCacheTest {

  @AfterEach
  void forgetAddress() {
    System.clearProperty("REDIS_ADDRESS");
  }

  @Test
  void entityCollectionNaturalIdAndQueryCaches_answerWithoutSql() {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      System.setProperty("REDIS_ADDRESS", redis.uri()); // what hibernate-cache.yaml's ${REDIS_ADDRESS} reads
      try (SessionFactory sf = Library.sessionFactory("l2", "hibernate-cache.yaml", Map.of())) {
        long[] ids = sf.fromTransaction(s -> {
          Author a = new Author("ada@example.org", "Ada");
          s.persist(a);
          Book b1 = new Book("Notes", 1200, a);
          Book b2 = new Book("Engines", 2500, a);
          s.persist(b1);
          s.persist(b2);
          Review r = new Review(0, 5);
          s.persist(r);
          return new long[] {a.getId(), b1.getId(), r.getId()};
        });
        Statistics stats = sf.getStatistics();
        stats.clear();

        // Read-write: cached at insert, so found in the cache, with no SQL.
        sf.inSession(s -> assertThat(s.find(Book.class, ids[1]).getTitle()).isEqualTo("Notes"));
        assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
        assertThat(stats.getPrepareStatementCount()).as("no SQL for a cached entity").isZero();

        // Nonstrict-read-write: cached when first loaded; the next session finds it there.
        sf.inSession(s -> assertThat(s.find(Review.class, ids[2]).getStars()).isEqualTo(5));
        assertThat(stats.getPrepareStatementCount()).isEqualTo(1);
        sf.inSession(s -> assertThat(s.find(Review.class, ids[2]).getStars()).isEqualTo(5));
        assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(2);
        assertThat(stats.getPrepareStatementCount()).isEqualTo(1);

        // Natural id: the second lookup is answered by the natural-id cache.
        sf.inSession(s -> s.find(Author.class, "ada@example.org", KeyType.NATURAL));
        long naturalIdHits = stats.getNaturalIdCacheHitCount();
        long sqlBefore = stats.getPrepareStatementCount();
        sf.inSession(s -> assertThat(s.find(Author.class, "ada@example.org", KeyType.NATURAL).getName())
            .isEqualTo("Ada"));
        assertThat(stats.getNaturalIdCacheHitCount()).isEqualTo(naturalIdHits + 1);
        assertThat(stats.getPrepareStatementCount()).as("id from the natural-id cache, entity from its region")
            .isEqualTo(sqlBefore);

        // Collection: loaded once from the database, then from its region.
        sf.inSession(s -> assertThat(s.find(Author.class, ids[0]).getBooks()).hasSize(2));
        long collectionSql = stats.getPrepareStatementCount();
        sf.inSession(s -> assertThat(s.find(Author.class, ids[0]).getBooks()).hasSize(2));
        assertThat(stats.getCollectionStatistics(Author.class.getName() + ".books").getCacheHitCount())
            .isPositive();
        assertThat(stats.getPrepareStatementCount()).isEqualTo(collectionSql);

        // Query cache: the same cacheable query, twice; the second runs no SQL.
        for (int i = 0; i < 2; i++) {
          List<Book> dear = sf.fromSession(s -> s.createSelectionQuery(
              "from Book where priceCents > :p order by priceCents", Book.class)
              .setParameter("p", 2000).setCacheable(true).getResultList());
          assertThat(dear).extracting(Book::getTitle).containsExactly("Engines");
        }
        assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
        assertThat(stats.getQueryCacheMissCount()).isEqualTo(1);
      }
    }
  }
}
