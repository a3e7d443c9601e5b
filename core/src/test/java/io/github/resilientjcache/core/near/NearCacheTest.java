package io.github.resilientjcache.core.near;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The near cache's own rules, on a ticker the test moves: fills, versions, staleness, reconciliation. */
class NearCacheTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final Ticker ticker = now::get;

  private NearCache<String> inSync(NearCacheConfig config) {
    NearCache<String> near = new NearCache<>(config.withEnabled(true), ticker, true);
    assertThat(near.syncRestored(near.era())).isTrue();
    return near;
  }

  private NearCache<String> inSync() {
    return inSync(NearCacheConfig.defaults());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(NearCache.Entry e) {
    return new String(e.bytes(), StandardCharsets.UTF_8);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aFill_isRefused_whenAChangeToTheKeyCrossedTheRead() {
    NearCache<String> near = inSync();
    long ticket = near.ticket("k");
    near.invalidated("k", 20); // another JVM's change arrives while the read is on the wire
    near.fill("k", ticket, bytes("old"), null, 10, NearCache.ETERNAL, now.get());
    assertThat(near.get("k")).isNull();
    assertThat(near.statistics().fillsRefused()).isEqualTo(1);

    long next = near.ticket("k");
    near.fill("k", next, bytes("new"), null, 20, NearCache.ETERNAL, now.get());
    assertThat(text(near.get("k"))).isEqualTo("new");
  }

  @Test
  void aFill_isRefused_whenSyncWasLostDuringTheRead_andNothingIsKeptWhileOutOfSync() {
    NearCache<String> near = inSync();
    long ticket = near.ticket("k");
    near.syncLost();
    assertThat(near.syncRestored(near.era())).isTrue();
    near.fill("k", ticket, bytes("v"), null, 1, NearCache.ETERNAL, now.get());
    assertThat(near.get("k")).isNull();

    near.syncLost();
    assertThat(near.ticket("k")).isEqualTo(NearCache.NO_FILL);
  }

  @Test
  void anOwnWrite_isNotKept_whenAnotherJvmsChangeArrivedBeforeItsReply() {
    NearCache<String> near = inSync();
    long ticket = near.ticket("k");
    near.invalidated("k", 11); // the other JVM's write came second in Redis, its message first here
    near.written("k", ticket, bytes("mine"), null, 10, NearCache.ETERNAL, now.get());
    assertThat(near.holds("k")).isFalse();
  }

  @Test
  void aReconciliation_thatALossCrossed_doesNotEndTheLoss() {
    NearCache<String> near = inSync();
    near.syncLost();
    long begun = near.era();
    near.syncLost(); // again, while the versions were being read
    assertThat(near.syncRestored(begun)).isFalse();
    assertThat(near.inSync()).isFalse();
  }

  @Test
  void aKeptEntry_doesNotLiveLonger_whenALateInvalidationLeavesIt() {
    NearCache<String> near = inSync();
    near.written("k", near.ticket("k"), bytes("v"), null, 50, 1_000, now.get());
    advance(Duration.ofMillis(900));
    near.invalidated("k", 40); // older: the entry stays, with the deadline it had
    advance(Duration.ofMillis(101));
    assertThat(near.get("k")).isNull();
  }

  @Test
  void anInvalidation_dropsOnlyAnOlderEntry() {
    NearCache<String> near = inSync();
    near.written("k", near.ticket("k"), bytes("mine"), null, 50, NearCache.ETERNAL, now.get());
    near.invalidated("k", 40); // late: the entry held is newer
    assertThat(text(near.get("k"))).isEqualTo("mine");
    near.invalidated("k", 60);
    assertThat(near.get("k")).isNull();
    assertThat(near.statistics().invalidationsReceived()).isEqualTo(2);
    assertThat(near.statistics().invalidationsApplied()).isEqualTo(1);
  }

  @Test
  void anOwnWrite_neverReplacesANewerEntry() {
    NearCache<String> near = inSync();
    near.written("k", near.ticket("k"), bytes("newer"), null, 70, NearCache.ETERNAL, now.get());
    near.written("k", near.ticket("k"), bytes("older"), null, 60, NearCache.ETERNAL, now.get());
    assertThat(text(near.get("k"))).isEqualTo("newer");
  }

  @Test
  void anEntry_livesNoLongerThanItsTtlInRedis_norThanMaximumAge() {
    NearCache<String> near = inSync();
    near.written("short", near.ticket("short"), bytes("v"), null, 1, 100, now.get());
    near.written("eternal", near.ticket("eternal"), bytes("v"), null, 1, NearCache.ETERNAL, now.get());
    advance(Duration.ofMillis(101));
    assertThat(near.get("short")).isNull();
    assertThat(near.get("eternal")).isNotNull();
    advance(Duration.ofMinutes(10));
    assertThat(near.get("eternal")).as("maximumAge, 10 minutes by default").isNull();
  }

  @Test
  void withoutTtls_maximumAgeIsCheckedAtTheTicks_andARefillReplacesTheExpiredEntry() {
    NearCache<String> near = new NearCache<>(NearCacheConfig.defaults().withEnabled(true), ticker, false);
    assertThat(near.syncRestored(near.era())).isTrue();
    near.written("k", near.ticket("k"), bytes("v"), null, 1, NearCache.ETERNAL, now.get());
    advance(Duration.ofMinutes(10).plusMillis(1));
    assertThat(near.get("k")).as("no tick yet").isNotNull();
    near.tick();
    assertThat(near.get("k")).isNull();

    // Read again from Redis, unchanged (the same version): the expired entry gives way to the new read.
    near.fill("k", near.ticket("k"), bytes("v"), null, 1, NearCache.ETERNAL, now.get());
    assertThat(near.get("k")).isNotNull();
  }

  @Test
  void outOfSync_entriesAreServedAsStaleHits_forTheStalenessBoundOnly() {
    NearCache<String> near = inSync(NearCacheConfig.defaults().withStaleness(Duration.ofSeconds(5)));
    near.written("k", near.ticket("k"), bytes("v"), null, 1, NearCache.ETERNAL, now.get());
    assertThat(near.get("k")).isNotNull();
    near.syncLost();
    advance(Duration.ofSeconds(5));
    assertThat(near.get("k")).isNotNull();
    advance(Duration.ofMillis(1));
    assertThat(near.get("k")).as("beyond the bound: go to Redis").isNull();
    assertThat(near.holds("k")).as("kept, for the reconciliation to judge").isTrue();
    assertThat(near.statistics().hits()).isEqualTo(1);
    assertThat(near.statistics().staleHits()).isEqualTo(1);
    assertThat(near.statistics().misses()).isEqualTo(1);
  }

  @Test
  void reconcile_dropsWhatChangedOrWentAway_andKeepsTheRest() {
    NearCache<String> near = inSync();
    for (int i = 0; i < 5; i++) {
      near.written("k" + i, near.ticket("k" + i), bytes("v"), null, 10 + i, NearCache.ETERNAL, now.get());
    }
    near.syncLost();
    Map<String, Long> held = near.versions();
    near.invalidated("k4", 99); // dropped since the versions were taken
    int dropped = near.reconcile(held, Map.of("k0", 10L, "k1", 11L, "k2", 500L, "k4", 99L)); // k3: gone
    assertThat(dropped).isEqualTo(2);
    assertThat(near.holds("k0")).isTrue();
    assertThat(near.holds("k1")).isTrue();
    assertThat(near.holds("k2")).isFalse();
    assertThat(near.holds("k3")).isFalse();
    assertThat(near.holds("k4")).isFalse();
    assertThat(near.statistics().partialDrops()).isEqualTo(2);
  }

  @Test
  void maximumWeight_boundsTheValuesBytes() {
    NearCacheConfig byWeight = new NearCacheConfig(true, 0, 1_000, Duration.ofMinutes(1), Duration.ofSeconds(1),
        10, Duration.ofSeconds(1), OnUnavailable.FAIL);
    NearCache<String> near = inSync(byWeight);
    for (int i = 0; i < 20; i++) {
      near.written("k" + i, near.ticket("k" + i), new byte[100], null, 1, NearCache.ETERNAL, now.get());
    }
    // Caffeine evicts on its maintenance executor, soon after.
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> near.size() <= 10);
  }
}
