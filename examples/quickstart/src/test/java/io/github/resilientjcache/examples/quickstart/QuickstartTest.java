package io.github.resilientjcache.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.jcache.ResilientCache;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.expiry.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart against a real redis-server, through its own config file (REDIS_ADDRESS fills it in). */
class QuickstartTest {

  private static final URI CONFIG = URI.create("classpath:quickstart.yaml");

  @AfterEach
  void forgetAddress() {
    System.clearProperty("REDIS_ADDRESS");
  }

  @TempDir
  Path dir;

  @Test
  void typedCacheWithExpiry_listener_entryProcessor_andNearCache() throws Exception {
    Path copy = dir.resolve("other.yaml"); // the same file under another URI: a second manager, as in another JVM
    try (InputStream in = getClass().getResourceAsStream("/quickstart.yaml")) {
      Files.copy(in, copy);
    }
    try (StandaloneRedis redis = RedisTopology.standalone()) {
      System.setProperty("REDIS_ADDRESS", redis.uri());
      try (Catalog catalog = Catalog.open(CONFIG); Catalog other = Catalog.open(copy.toUri())) {
        // A manager's listener hears another manager's changes once that one has learnt it listens (at once
        // from its announcement, or from the registry it reads every 10 s): write a warm-up product until the
        // other listener hears it, then count.
        AtomicLong written = new AtomicLong();
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
          catalog.add(new Product("warm-up", "-", 1, 1)); // heard at once by this manager's own listener
          return Catalog.changesSeen("warm-up") > written.incrementAndGet();
        });
        long teaEvents = Catalog.changesSeen("tea-01"); // other tests of this JVM may have written it too
        catalog.add(new Product("tea-01", "Green tea", 450, 10));
        assertThat(catalog.find("tea-01")).isEqualTo(new Product("tea-01", "Green tea", 450, 10));

        // The expiry policy is Redis' own: the entry carries its 10 minutes there.
        Object ttl = redis.node().call("PTTL", String.valueOf(((List<?>) redis.node().call("KEYS",
            "rjc:products:*:s:tea-01")).get(0)));
        assertThat((Long) ttl).isBetween(590_000L, 600_000L);
        @SuppressWarnings("unchecked") // the JCache API takes a raw Class here
        CompleteConfiguration<String, Product> config =
            catalog.products().getConfiguration(CompleteConfiguration.class);
        assertThat(config.getExpiryPolicyFactory().create().getExpiryForCreation()).isEqualTo(Duration.TEN_MINUTES);

        // The entry processor runs atomically; another manager (another JVM in real life) sees its result.
        assertThat(catalog.reserve("tea-01", 4)).isTrue();
        assertThat(catalog.reserve("tea-01", 7)).isFalse();
        assertThat(other.find("tea-01").stock()).isEqualTo(6);
        // One creation and one update, heard by this manager's listener (synchronously) and by the other's (from
        // Redis, as a listener in another JVM would): 4 in this JVM.
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Catalog.changesSeen("tea-01") - teaEvents >= 4);
        assertThat(Catalog.changesSeen("tea-01") - teaEvents).isEqualTo(4);

        // Read once (the entry processor's write leaves the entry to the next read), then again and again:
        // answered by this JVM's near cache, not Redis.
        catalog.find("tea-01");
        ResilientCache<?, ?> ours = catalog.products().unwrap(ResilientCache.class);
        long hits = ours.nearCache().orElseThrow().statistics().hits();
        for (int i = 0; i < 10; i++) {
          assertThat(catalog.find("tea-01").stock()).isEqualTo(6);
        }
        assertThat(ours.nearCache().orElseThrow().statistics().hits() - hits).isEqualTo(10);
        assertThat(ours.statistics().getCacheHits()).isGreaterThanOrEqualTo(10);
      }
    }
  }

  @Test
  void main_startsItsOwnRedis_whenNoneIsNamed() {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Quickstart.run(null, new PrintStream(printed, true, StandardCharsets.UTF_8));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("No REDIS_ADDRESS: started a local redis-server at redis://")
        .contains("find tea-01      -> Product[sku=tea-01, name=Green tea, priceCents=450, stock=10]")
        .contains("reserve 2 cof-01 -> true, left: 1").contains("reserve 2 cof-01 -> false (only 1 left)")
        .containsPattern("near cache       -> NearCacheStatistics\\[hits=[1-9]");
  }
}
