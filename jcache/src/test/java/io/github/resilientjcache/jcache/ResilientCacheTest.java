package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.file;
import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.server;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.Config;

/** The Cache a user gets, on real redis-server processes: what it stores, how it expires, through a failover. */
class ResilientCacheTest {

  @TempDir
  Path dir;

  @Test
  @SuppressWarnings("unchecked") // a generic value type's class
  void theProviderByName_givesAManagerPerUri_whoseCachesStoreByValueInRedis() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      URI uri = file(dir, "app", server(redis));
      CacheManager manager = provider().getCacheManager(uri, getClass().getClassLoader());
      try {
        assertThat(provider().getCacheManager(uri, getClass().getClassLoader())).isSameAs(manager);
        Cache<String, ArrayList<String>> cache = manager.createCache("lists",
            new MutableConfiguration<String, ArrayList<String>>().setTypes(String.class,
                (Class<ArrayList<String>>) (Class<?>) ArrayList.class));
        ArrayList<String> value = new ArrayList<>(List.of("a"));
        cache.put("k", value);
        value.add("changed after put");
        assertThat(cache.get("k")).as("by value: the caller's later change is not in the cache").containsExactly("a");
        assertThat(redis.node().call("EXISTS", "rjc:lists:0:s:k")).isEqualTo(1L);
        assertThat(manager.getCache("lists", String.class, (Class<ArrayList<String>>) (Class<?>) ArrayList.class))
            .isSameAs(cache);
        assertThatThrownBy(() -> manager.getCache("lists", String.class, Integer.class))
            .isInstanceOf(ClassCastException.class);
        assertThat(manager.getCache("nothing-here")).isNull();
        assertThatThrownBy(() -> manager.createCache("lists", strings())).isInstanceOf(CacheException.class)
            .hasMessageContaining("exists already");
      } finally {
        manager.close();
      }
      assertThat(manager.isClosed()).isTrue();
    }
  }

  /** More entries than one scan page (500) holds: each is seen once, and iterator.remove removes it. */
  @Test
  void iteration_seesEveryEntryOnce_acrossScanPages() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "pages", server(redis)), getClass().getClassLoader())) {
      Cache<String, String> c = manager.createCache("pages", strings());
      Map<String, String> all = new HashMap<>();
      for (int i = 0; i < 1_234; i++) {
        all.put("k" + i, "v" + i);
      }
      c.putAll(all);
      Map<String, String> seen = new HashMap<>();
      for (Iterator<Cache.Entry<String, String>> it = c.iterator(); it.hasNext(); ) {
        Cache.Entry<String, String> e = it.next();
        assertThat(seen.put(e.getKey(), e.getValue())).as("seen once: " + e.getKey()).isNull();
        if (e.getKey().endsWith("7")) {
          it.remove();
        }
      }
      assertThat(seen).isEqualTo(all);
      assertThat(c.containsKey("k17")).isFalse();
      assertThat(c.containsKey("k18")).isTrue();
    }
  }

  @Test
  void everySingleEntryOperation_doesWhatTheSpecSays() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "ops", server(redis)), getClass().getClassLoader())) {
      Cache<String, String> c = manager.createCache("ops", strings());
      assertThat(c.get("a")).isNull();
      assertThat(c.getAndPut("a", "1")).isNull();
      assertThat(c.getAndPut("a", "2")).isEqualTo("1");
      assertThat(c.putIfAbsent("a", "3")).isFalse();
      assertThat(c.putIfAbsent("b", "3")).isTrue();
      assertThat(c.containsKey("b")).isTrue();
      assertThat(c.replace("a", "wrong", "4")).isFalse();
      assertThat(c.replace("a", "2", "4")).isTrue();
      assertThat(c.replace("missing", "x")).isFalse();
      assertThat(c.getAndReplace("a", "5")).isEqualTo("4");
      assertThat(c.remove("a", "wrong")).isFalse();
      assertThat(c.getAndRemove("a")).isEqualTo("5");
      assertThat(c.remove("a")).isFalse();
      c.putAll(Map.of("x", "1", "y", "2", "z", "3"));
      assertThat(c.getAll(Set.of("x", "y", "nope"))).isEqualTo(Map.of("x", "1", "y", "2"));
      Map<String, String> iterated = new HashMap<>();
      for (Cache.Entry<String, String> e : c) {
        iterated.put(e.getKey(), e.getValue());
      }
      assertThat(iterated).isEqualTo(Map.of("b", "3", "x", "1", "y", "2", "z", "3"));
      c.removeAll(Set.of("x"));
      assertThat(c.containsKey("x")).isFalse();
      c.removeAll();
      assertThat(c.iterator().hasNext()).isFalse();
      c.put("after", "v");
      c.clear();
      assertThat(c.get("after")).isNull();
    }
  }

  @Test
  void invoke_runsTheProcessorHere_andConcurrentIncrementsLoseNothing() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "invoke", server(redis)), getClass().getClassLoader())) {
      Cache<String, Long> c = manager.createCache("counters",
          new MutableConfiguration<String, Long>().setTypes(String.class, Long.class));
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 50; i++) {
            c.invoke("n", (entry, args) -> {
              entry.setValue(entry.exists() ? entry.getValue() + 1 : 1L); // a lambda: it never leaves this JVM
              return null;
            });
          }
        }));
      }
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(c.get("n")).isEqualTo(200L);
      assertThatThrownBy(() -> c.invoke("n", (entry, args) -> {
        entry.setValue(-1L);
        throw new IllegalStateException("the processor failed");
      })).isInstanceOf(javax.cache.processor.EntryProcessorException.class);
      assertThat(c.get("n")).as("nothing written by a failed processor").isEqualTo(200L);
    }
  }

  @Test
  void anExpiryPolicy_isEnforcedByRedis() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "expiry", server(redis)), getClass().getClassLoader())) {
      Cache<String, String> c = manager.createCache("short", strings()
          .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new javax.cache.expiry.Duration(TimeUnit.MILLISECONDS,
              300))));
      c.put("k", "v");
      assertThat((Long) redis.node().call("PTTL", "rjc:short:0:s:k")).isBetween(1L, 300L);
      await().atMost(Duration.ofSeconds(5)).until(() -> c.get("k") == null);

      Cache<String, String> zero = manager.createCache("zero", strings()
          .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(javax.cache.expiry.Duration.ZERO)));
      zero.put("k", "v");
      assertThat(zero.containsKey("k")).as("created expired: never stored").isFalse();
    }
  }

  /** A policy that is not one of the JDK's is asked only what applies: here, only for the creation. */
  public static final class CountingPolicy implements ExpiryPolicy, Serializable {
    private static final long serialVersionUID = 1L;
    static volatile int creations;
    static volatile int updates;

    @Override
    public javax.cache.expiry.Duration getExpiryForCreation() {
      creations++;
      return javax.cache.expiry.Duration.ETERNAL;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForAccess() {
      return null;
    }

    @Override
    public javax.cache.expiry.Duration getExpiryForUpdate() {
      updates++;
      return null;
    }
  }

  @Test
  void aCustomExpiryPolicy_isAskedOnlyWhatApplies() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "custom", server(redis)), getClass().getClassLoader())) {
      Cache<String, String> c = manager.createCache("custom", strings()
          .setExpiryPolicyFactory(FactoryBuilder.factoryOf(new CountingPolicy())));
      CountingPolicy.creations = 0;
      CountingPolicy.updates = 0;
      c.put("k", "v");
      assertThat(CountingPolicy.creations).isEqualTo(1);
      assertThat(CountingPolicy.updates).isZero();
      c.put("k", "v2");
      assertThat(CountingPolicy.updates).isEqualTo(1);
      assertThat(CountingPolicy.creations).isEqualTo(1);
    }
  }

  /**
   * The same Cache object through a failover of a primary endpoint (kill, promote, flip the name): calls fail
   * fast with a clear error while Redis is away, then work again, without recreating anything.
   */
  @Test
  void theSameCache_worksAgainAfterAFailover_withoutBeingRecreated() throws Exception {
    try (PrimaryEndpointRedis redis = RedisTopology.primaryWithReplica()) {
      Config config = RedisConfigs.primaryEndpoint(redis);
      Properties props = new Properties();
      props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, config);
      try (CacheManager manager = provider().getCacheManager(URI.create("memory:failover-test"),
          getClass().getClassLoader(), props)) {
        Cache<String, String> c = manager.createCache("users", strings());
        c.put("alice", "before");
        redis.awaitReplicaInSync();
        redis.killPrimary();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() -> c.get("alice"))
            .isInstanceOf(CacheUnavailableException.class).hasMessageContaining("cache users")
            .hasMessageContaining(PrimaryEndpointRedis.HOSTNAME));
        redis.promoteReplica();
        redis.flipDns();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> "before".equals(c.get("alice")));
        c.put("alice", "after");
        assertThat(redis.primary().call("HGET", "rjc:users:0:s:alice", "v")).isNotNull();
      }
    }
  }

  @Test
  void badInput_getsAClearError_andNothingIsWritten() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager manager = provider().getCacheManager(file(dir, "bad", server(redis)), getClass().getClassLoader())) {
      Cache<String, Object> c = manager.createCache("bad",
          new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
      assertThatThrownBy(() -> c.put(null, "v")).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> c.put("k", null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> c.get(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> c.put("k", new Object())).isInstanceOf(CacheException.class)
          .hasMessageContaining("java.lang.Object").hasMessageContaining("Serializable");
      assertThat(redis.node().call("EXISTS", "rjc:bad:0:s:k")).isEqualTo(0L);

      assertThatThrownBy(() -> manager.createCache("byReference", strings().setStoreByValue(false)))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("store-by-reference");
      assertThat(manager.getCache("byReference")).as("nothing half-made is left").isNull();

      c.close();
      assertThatThrownBy(() -> c.get("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  /** An application's own value class, not declared as the cache's value type. */
  public record Order(String id, long cents) implements Serializable {}

  @Test
  void aClassTheConfigAllows_isReadBack_andOneItDoesNotIsRefusedByName() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      Path allowing = dir.resolve("allowing.yaml");
      Files.writeString(allowing, """
          singleServerConfig:
            address: "%s"
          serialization:
            allowedClasses: ["io.github.resilientjcache.jcache.ResilientCacheTest$Order"]
          """.formatted(redis.uri()));
      try (CacheManager manager = provider().getCacheManager(allowing.toUri(), getClass().getClassLoader());
          CacheManager strict = provider().getCacheManager(file(dir, "strict", server(redis)), getClass().getClassLoader())) {
        Cache<String, Object> orders = manager.createCache("orders",
            new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
        orders.put("o1", new Order("o1", 1299));
        assertThat(orders.get("o1")).isEqualTo(new Order("o1", 1299));

        Cache<String, Object> sameCacheStrictly = strict.createCache("orders",
            new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
        assertThatThrownBy(() -> sameCacheStrictly.get("o1")).isInstanceOf(CacheException.class)
            .hasMessageContaining("refused of class " + Order.class.getName())
            .hasMessageContaining("serialization.allowedClasses");
      }
    }
  }
}
