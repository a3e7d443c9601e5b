package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.file;
import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.server;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two managers with supervisors and clients of their own, as two JVMs have: each sees the other's writes,
 * listeners hear the other's changes through Redis, a clear is seen by both, and nobody publishes a value
 * while nobody listens.
 */
class TwoManagersTest {

  @TempDir
  Path dir;

  /** What a listener heard, as "kind key old->new", in order. */
  public static final class Heard implements CacheEntryCreatedListener<String, String>,
      CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String> {
    static final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      es.forEach(e -> events.add("created " + e.getKey() + " " + e.getValue()));
    }

    @Override
    public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      es.forEach(e -> events.add("updated " + e.getKey() + " " + e.getOldValue() + "->" + e.getValue()));
    }

    @Override
    public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
      es.forEach(e -> events.add("removed " + e.getKey() + " " + e.getOldValue()));
    }
  }

  private static long publishes(StandaloneRedis redis) {
    String stat = redis.node().infoField("commandstats", "cmdstat_publish");
    if (stat == null || stat.isEmpty()) {
      return 0;
    }
    return Long.parseLong(stat.replaceAll("^calls=(\\d+),.*$", "$1"));
  }

  @Test
  void eachSeesTheOthersWrites_andItsListenersHearThem_andAClearIsSeenByBoth() throws Exception {
    Heard.events.clear();
    try (StandaloneRedis redis = RedisTopology.standalone();
        CacheManager one = provider().getCacheManager(file(dir, "one", server(redis)), getClass().getClassLoader());
        CacheManager two = provider().getCacheManager(file(dir, "two", server(redis)), getClass().getClassLoader())) {
      Cache<String, String> a = one.createCache("shared", strings());
      Cache<String, String> b = two.createCache("shared", strings());

      long before = publishes(redis);
      a.put("quiet", "1");
      b.put("quiet", "2");
      b.remove("quiet");
      assertThat(publishes(redis)).as("PUBLISH calls while nobody listens").isEqualTo(before);

      // A synchronous listener on b: b's own changes reach it before the call returns, a's through Redis.
      MutableCacheEntryListenerConfiguration<String, String> listener = new MutableCacheEntryListenerConfiguration<>(
          FactoryBuilder.factoryOf(Heard.class), null, true, true);
      b.registerCacheEntryListener(listener);
      ResilientCache<?, ?> writer = a.unwrap(ResilientCache.class);
      await().atMost(Duration.ofSeconds(10)).until(writer::othersListen);

      a.put("k", "v1");
      a.put("k", "v2");
      a.remove("k");
      b.put("own", "x");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Heard.events).contains(
          "created k v1", "updated k v1->v2", "removed k v2", "created own x"));
      assertThat(Heard.events.stream().filter(e -> e.contains(" k ")).toList())
          .as("a's changes, in the order a made them")
          .containsExactly("created k v1", "updated k v1->v2", "removed k v2");
      assertThat(Heard.events).as("b's own change is heard once, not again through Redis")
          .containsOnlyOnce("created own x");

      a.put("k", "cleared soon");
      assertThat(b.get("k")).isEqualTo("cleared soon");
      b.clear();
      await().atMost(Duration.ofSeconds(10)).until(() -> a.get("k") == null);
      a.put("k", "after the clear");
      assertThat(b.get("k")).isEqualTo("after the clear");

      // b's last listener goes: a stops publishing.
      b.deregisterCacheEntryListener(listener);
      await().atMost(Duration.ofSeconds(10)).until(() -> !writer.othersListen());
      long quiet = publishes(redis);
      a.put("k", "nobody hears this");
      assertThat(publishes(redis)).isEqualTo(quiet);
    }
  }
}
