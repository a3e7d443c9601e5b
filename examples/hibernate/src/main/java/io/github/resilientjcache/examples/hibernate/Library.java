package io.github.resilientjcache.examples.hibernate;

import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/** Builds the SessionFactory: H2, and resilient-jcache as the second-level cache, all by configuration. */
public final class Library {

  /** The provider's class name for {@code hibernate.javax.cache.provider}. */
  public static final String PROVIDER = "io.github.resilientjcache.jcache.ResilientCachingProvider";

  private Library() {}

  /**
   * A SessionFactory on the H2 database {@code database} (in memory, shared by the JVM's factories), with the
   * cache configured by {@code cacheConfig}: a class path resource or a URL, which Hibernate resolves to the URI
   * it hands the provider (a resource's {@code file:} or {@code jar:} URL). {@code overrides} go
   * last (tests pass {@code hibernate.javax.cache.cache_manager} in them).
   */
  public static SessionFactory sessionFactory(String database, String cacheConfig, Map<String, Object> overrides) {
    Configuration cfg = new Configuration()
        .addAnnotatedClass(Author.class)
        .addAnnotatedClass(Book.class)
        .addAnnotatedClass(Review.class)
        .setProperty("jakarta.persistence.jdbc.url", "jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1")
        .setProperty("jakarta.persistence.jdbc.user", "sa")
        .setProperty("jakarta.persistence.jdbc.password", "")
        .setProperty("hibernate.hbm2ddl.auto", "update")
        .setProperty("hibernate.cache.use_second_level_cache", "true")
        .setProperty("hibernate.cache.use_query_cache", "true")
        .setProperty("hibernate.cache.region.factory_class", "jcache")
        .setProperty("hibernate.javax.cache.provider", PROVIDER)
        .setProperty("hibernate.javax.cache.uri", cacheConfig)
        .setProperty("hibernate.javax.cache.missing_cache_strategy", "create")
        .setProperty("hibernate.generate_statistics", "true");
    overrides.forEach((k, v) -> cfg.getProperties().put(k, v));
    return cfg.buildSessionFactory();
  }
}
