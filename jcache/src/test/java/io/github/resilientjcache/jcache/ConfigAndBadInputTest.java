package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.file;
import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.server;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.config.ConfigFileException;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.MutableConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the config file can say, and what a user sees when it, or what they store, is wrong. */
class ConfigAndBadInputTest {

  @TempDir
  Path dir;

  @Test
  void theProvidersName_isItsClassName_andTheOtherRegisteredProviderIsNamed() {
    assertThat(ResilientCachingProvider.NAME).isEqualTo(ResilientCachingProvider.class.getName());
    // Redisson's jar registers its own provider: that is what makes an unnamed lookup ambiguous.
    assertThat(ResilientCachingProvider.otherProviders(getClass().getClassLoader()))
        .contains("org.redisson.jcache.JCachingProvider");
    assertThatThrownBy(() -> Caching.getCachingProvider()).isInstanceOf(CacheException.class)
        .hasMessageContaining("Multiple CachingProviders");
  }

  /** Hibernate hands over a class loader's resource URL: inside a jar, a jar: URI. */
  @Test
  void aConfigFileInsideAJar_isRead() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      Path jar = dir.resolve("app.jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new JarEntry("config/cache.yaml"));
        out.write(server(redis).getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      URI uri = URI.create("jar:" + jar.toUri() + "!/config/cache.yaml");
      try (CacheManager manager = provider().getCacheManager(uri, getClass().getClassLoader())) {
        Cache<String, String> c = manager.createCache("fromJar", strings());
        c.put("k", "v");
        assertThat(redis.node().call("HGET", "rjc:fromJar:0:s:k", "n")).isNotNull();
      }
      URI missing = URI.create("jar:" + jar.toUri() + "!/config/none.yaml");
      assertThatThrownBy(() -> provider().getCacheManager(missing, getClass().getClassLoader()))
          .isInstanceOf(ConfigFileException.class).hasMessageContaining("none.yaml")
          .hasMessageContaining("no such jar entry");
    }
  }

  @Test
  void perCacheSettings_applyToTheCacheOfThatName_whateverTheProgramPassed() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      URI uri = file(dir, "caches", server(redis) + """
          caches:
            orders:
              expiry: { policy: modified, duration: 10m }
              statistics: true
              management: true
          """);
      try (CacheManager manager = provider().getCacheManager(uri, getClass().getClassLoader())) {
        Cache<String, String> orders = manager.createCache("orders", strings());
        Cache<String, String> other = manager.createCache("other", strings());
        orders.put("k", "v");
        other.put("k", "v");
        long ttl = (Long) redis.node().call("PTTL", "rjc:orders:0:s:k");
        assertThat(ttl).isBetween(1L, 600_000L);
        assertThat(redis.node().call("PTTL", "rjc:other:0:s:k")).as("eternal, as the program asked").isEqualTo(-1L);
        @SuppressWarnings("unchecked")
        CompleteConfiguration<String, String> c = orders.getConfiguration(CompleteConfiguration.class);
        assertThat(c.isStatisticsEnabled()).isTrue();
        assertThat(c.isManagementEnabled()).isTrue();
        orders.get("k");
        assertThat(orders.unwrap(ResilientCache.class).statistics().getCacheHits()).isEqualTo(1);
      }
    }
  }

  @Test
  void nearCacheSettings_applyToEveryCache_andACachesOwnOverThem_andAnAccessExpiryStepsAside() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      URI uri = file(dir, "near", server(redis) + """
          nearCache:
            enabled: true
            maximumSize: 500
          caches:
            plain:
              onUnavailable: MISS
            off:
              nearCache: false
            small:
              nearCache: { maximumWeight: 64KB, staleness: 5s, beaconInterval: 500ms }
            touched:
              expiry: { policy: touched, duration: 10m }
          """);
      try (CacheManager m = provider().getCacheManager(uri, getClass().getClassLoader())) {
        ResilientCache<?, ?> plain = m.createCache("plain", strings()).unwrap(ResilientCache.class);
        assertThat(plain.nearCache().orElseThrow().config().maximumSize()).isEqualTo(500);
        assertThat(plain.nearCache().orElseThrow().config().onUnavailable().name()).isEqualTo("MISS");
        ResilientCache<?, ?> off = m.createCache("off", strings()).unwrap(ResilientCache.class);
        assertThat(off.nearCache()).isEmpty();
        ResilientCache<?, ?> small = m.createCache("small", strings()).unwrap(ResilientCache.class);
        assertThat(small.nearCache().orElseThrow().config().maximumWeight()).isEqualTo(64 * 1024);
        assertThat(small.nearCache().orElseThrow().config().staleness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(small.nearCache().orElseThrow().config().beaconInterval()).isEqualTo(Duration.ofMillis(500));
        ResilientCache<?, ?> touched = m.createCache("touched", strings()).unwrap(ResilientCache.class);
        assertThat(touched.nearCache()).as("every read must move the expiry in Redis").isEmpty();
      }
    }
  }

  @Test
  void aBadNearCacheSetting_failsWithTheFileTheLineAndTheKey() throws Exception {
    URI policy = file(dir, "policy", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        caches:
          users:
            onUnavailable: IGNORE
        """);
    assertThatThrownBy(() -> provider().getCacheManager(policy, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("line 5")
        .hasMessageContaining("caches.users.onUnavailable").hasMessageContaining("must be FAIL or MISS, not IGNORE");

    URI size = file(dir, "size", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        nearCache:
          enabled: true
          maximumSize: lots
        """);
    assertThatThrownBy(() -> provider().getCacheManager(size, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("line 5")
        .hasMessageContaining("nearCache.maximumSize").hasMessageContaining("not lots");

    URI unknown = file(dir, "near-unknown", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        caches:
          users:
            nearCache: { maxSize: 10 }
        """);
    assertThatThrownBy(() -> provider().getCacheManager(unknown, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("caches.users.nearCache.maxSize")
        .hasMessageContaining("is not a near cache setting");

    URI clear = file(dir, "clear", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        caches:
          results:
            clearAfterOutage: sometimes
        """);
    assertThatThrownBy(() -> provider().getCacheManager(clear, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("line 5")
        .hasMessageContaining("caches.results.clearAfterOutage").hasMessageContaining("true or false");
  }

  @Test
  void aBadSetting_failsWithTheFileTheLineAndTheKey() throws Exception {
    URI unknown = file(dir, "unknown", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        caches:
          users:
            statistics: true
            ttl: 10m
        """);
    assertThatThrownBy(() -> provider().getCacheManager(unknown, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("unknown.yaml").hasMessageContaining("line 6")
        .hasMessageContaining("caches.users.ttl")
        .hasMessageContaining("expiry, statistics, management, nearCache, onUnavailable and clearAfterOutage");

    URI duration = file(dir, "duration", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        caches:
          users:
            expiry:
              policy: created
              duration: ten minutes
        """);
    assertThatThrownBy(() -> provider().getCacheManager(duration, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("line 7")
        .hasMessageContaining("caches.users.expiry.duration").hasMessageContaining("ten minutes");

    URI size = file(dir, "size", """
        singleServerConfig:
          address: "redis://127.0.0.1:1"
        serialization:
          maxValueBytes: lots
        """);
    assertThatThrownBy(() -> provider().getCacheManager(size, getClass().getClassLoader()))
        .isInstanceOf(ConfigFileException.class).hasMessageContaining("line 4")
        .hasMessageContaining("serialization.maxValueBytes");
  }

  @Test
  void aValueTooLargeToStore_getsAClearError_andNothingIsWritten() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "large", server(redis)),
            getClass().getClassLoader())) {
      Cache<String, byte[]> c = manager.createCache("blobs",
          new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));
      c.put("big", new byte[] {1});
      byte[] hundredMegabytes = new byte[100 << 20];
      assertThatThrownBy(() -> c.put("big", hundredMegabytes)).isInstanceOf(CacheException.class)
          .hasMessageContaining("cache blobs").hasMessageContaining("larger than the 67108864 bytes")
          .hasMessageContaining("serialization.maxValueBytes").hasMessageContaining("nothing was written");
      assertThat(c.get("big")).as("the old value is still there").containsExactly(1);
    }
  }

  /**
   * With Redisson's default retries a refused login takes longer than the supervisor waits for its first
   * client, so the manager may start unavailable: then the next calls say why, once Redisson has.
   */
  @Test
  void aWrongPassword_failsWithAClearError_thatNeverShowsThePassword() throws Exception {
    String secret = "s3cret-for-the-test";
    try (StandaloneRedis redis = RedisTopology.standalone(RedisOptions.defaults().password(secret))) {
      URI uri = file(dir, "password", """
          singleServerConfig:
            address: "%s"
          password: "not-%s"
          """.formatted(redis.uri(), secret));
      List<Throwable> seen = new ArrayList<>();
      try (CacheManager manager = provider().getCacheManager(uri, getClass().getClassLoader())) {
        Cache<String, String> c = manager.createCache("guarded", strings());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          Throwable thrown = catchThrowable(() -> c.put("k", "v"));
          seen.add(thrown);
          assertThat(thrown).isInstanceOf(CacheException.class).hasMessageContaining("cache guarded")
              .hasMessageContaining(redis.uri()).hasMessageContaining("refused the credentials");
        });
      } catch (CacheException startup) {
        seen.add(startup);
        assertThat(startup).hasMessageContaining("cannot start").hasMessageContaining("refused the credentials");
      }
      for (Throwable e : seen) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
          assertThat(t.toString()).doesNotContain(secret);
        }
      }
    }
  }

  @Test
  void unknownNames_andAClosedManager_areWhatTheSpecSays() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      CacheManager manager = provider().getCacheManager(file(dir, "names", server(redis)), getClass().getClassLoader());
      assertThat(manager.<String, String>getCache("nope")).isNull();
      assertThat(manager.getCache("nope", String.class, String.class)).isNull();
      manager.createCache("one", strings());
      assertThatThrownBy(() -> manager.getCache("one", Long.class, String.class))
          .isInstanceOf(ClassCastException.class).hasMessageContaining("java.lang.String");
      manager.destroyCache("nope"); // nothing to destroy: no error
      manager.close();
      manager.close();
      assertThatThrownBy(() -> manager.getCache("one")).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThat(manager.isClosed()).isTrue();
    }
  }
}
