package io.github.resilientjcache.jcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.testkit.ClusterRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.RedisNode;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

/** The store's operations against real redis-server processes: one round trip each, versions, expiry, clear. */
class RedisStoreTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private static ValueCodec codec(Set<Class<?>> types) {
    return new ValueCodec("c", RedisStoreTest.class.getClassLoader(), types, List.of(), 1 << 20);
  }

  @Test
  void putGetReplaceRemove_behaveAsTheirNamesSay_andVersionsOnlyGrow() {
    try (StandaloneRedis redis = RedisTopology.standalone();
        RedisSupervisor supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("store").build()) {
      RedisStore store = new RedisStore(supervisor, new KeyLayout("users"));
      KeyLayout.EncodedKey k = codec(Set.of()).encodeKey("alice");

      assertThat(join(store.get(k, RedisStore.KEEP))).isNull();
      assertThat(join(store.put(k, b("v1"), RedisStore.ETERNAL, RedisStore.KEEP, true)).existed()).isFalse();
      RedisStore.Found first = join(store.get(k, RedisStore.KEEP));
      assertThat(s(first.value())).isEqualTo("v1");
      assertThat(redis.node().call("HGET", "rjc:users:0:s:alice", "v")).as("what an operator sees").isEqualTo("v1");

      RedisStore.Before before = join(store.put(k, b("v2"), RedisStore.ETERNAL, RedisStore.KEEP, true));
      assertThat(before.existed()).isTrue();
      assertThat(s(before.oldValue())).isEqualTo("v1");
      RedisStore.Found second = join(store.get(k, RedisStore.KEEP));
      assertThat(second.version()).isGreaterThan(first.version());

      assertThat(join(store.putIfAbsent(k, b("v3"), RedisStore.ETERNAL)).changed()).isFalse();
      RedisStore.Before mismatch = join(store.replace(k, b("v3"), RedisStore.KEEP, b("wrong"), RedisStore.KEEP, false));
      assertThat(mismatch.existed()).isTrue();
      assertThat(mismatch.changed()).isFalse();
      assertThat(join(store.replace(k, b("v3"), RedisStore.KEEP, b("v2"), RedisStore.KEEP, false)).changed()).isTrue();
      assertThat(join(store.remove(k, b("wrong"), RedisStore.KEEP, false)).changed()).isFalse();
      assertThat(s(join(store.remove(k, true)).oldValue())).isEqualTo("v3");
      assertThat(join(store.contains(k))).isFalse();

      // Deleted and written again: the version still grows, so a stale copy elsewhere is told apart.
      join(store.put(k, b("v4"), RedisStore.ETERNAL, RedisStore.KEEP, false));
      assertThat(join(store.get(k, RedisStore.KEEP)).version()).isGreaterThan(second.version());
    }
  }

  @Test
  void expiry_isRedisOwn_andAZeroTtlNeverWrites() {
    try (StandaloneRedis redis = RedisTopology.standalone();
        RedisSupervisor supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("store").build()) {
      RedisStore store = new RedisStore(supervisor, new KeyLayout("ttl"));
      ValueCodec codec = codec(Set.of());
      KeyLayout.EncodedKey k = codec.encodeKey("k");

      join(store.put(k, b("v"), 300, RedisStore.KEEP, false));
      long pttl = (Long) redis.node().call("PTTL", "rjc:ttl:0:s:k");
      assertThat(pttl).isBetween(1L, 300L);
      await().atMost(Duration.ofSeconds(5)).until(() -> join(store.get(k, RedisStore.KEEP)) == null);

      assertThat(join(store.put(k, b("v"), RedisStore.EXPIRED, RedisStore.KEEP, false)).existed()).isFalse();
      assertThat(redis.node().call("EXISTS", "rjc:ttl:0:s:k")).isEqualTo(0L);

      join(store.put(k, b("v"), RedisStore.ETERNAL, RedisStore.KEEP, false));
      assertThat(join(store.get(k, 5_000))).isNotNull(); // an access that sets a TTL
      assertThat((Long) redis.node().call("PTTL", "rjc:ttl:0:s:k")).isBetween(1L, 5_000L);
      assertThat(join(store.get(k, RedisStore.EXPIRED))).as("read, then expired by the access").isNotNull();
      assertThat(join(store.get(k, RedisStore.KEEP))).isNull();
    }
  }

  @Test
  void clear_isOneRoundTrip_hidesEveryEntry_andUnlinksThemAfterwards() {
    try (StandaloneRedis redis = RedisTopology.standalone();
        RedisSupervisor supervisor = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("store").build()) {
      RedisStore store = new RedisStore(supervisor, new KeyLayout("cleared"));
      ValueCodec codec = codec(Set.of());
      for (int i = 0; i < 100; i++) {
        join(store.put(codec.encodeKey("k" + i), b("v"), RedisStore.ETERNAL, RedisStore.KEEP, false));
      }
      join(store.clear());
      assertThat(join(store.get(codec.encodeKey("k1"), RedisStore.KEEP))).isNull();
      assertThat(store.keys(50)).isEmpty();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> ((List<?>) redis.node().call("KEYS", "rjc:cleared:0:*")).isEmpty());

      // Another store object on the same cache (another JVM) reads the new epoch when it starts.
      RedisStore other = new RedisStore(supervisor, new KeyLayout("cleared"));
      join(other.put(codec.encodeKey("after"), b("v"), RedisStore.ETERNAL, RedisStore.KEEP, false));
      assertThat(join(store.get(codec.encodeKey("after"), RedisStore.KEEP))).isNotNull();
    }
  }

  /** On Cluster a cache's entries spread over every primary (no hash tag); iteration and clear still work. */
  @Test
  void onCluster_entriesSpreadOverEveryPrimary_andIterationAndClearWork() {
    try (ClusterRedis redis = RedisTopology.cluster();
        RedisSupervisor supervisor = RedisSupervisor.builder(RedisConfigs.cluster(redis)).name("store").build()) {
      RedisStore store = new RedisStore(supervisor, new KeyLayout("spread"));
      ValueCodec codec = codec(Set.of());
      Set<String> written = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        join(store.put(codec.encodeKey("k" + i), b("v" + i), RedisStore.ETERNAL, RedisStore.KEEP, false));
        written.add("k" + i);
      }
      for (RedisNode primary : redis.primaries()) {
        assertThat((Long) primary.call("DBSIZE")).as("entries on %s", primary).isGreaterThan(50L);
      }
      Set<String> listed = new HashSet<>();
      for (KeyLayout.EncodedKey k : store.keys(100)) {
        listed.add((String) codec.decodeKey(k));
      }
      assertThat(listed).isEqualTo(written);

      join(store.clear());
      assertThat(store.keys(100)).isEmpty();
      assertThat(join(store.get(codec.encodeKey("k1"), RedisStore.KEEP))).isNull();
    }
  }

  record Point(int x, int y) implements Serializable {}

  /** A gadget the cache never declared, planted in Redis. */
  static final class Planted implements Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean ran;

    private void readObject(java.io.ObjectInputStream in) {
      ran = true; // what a gadget chain would do: run code while being read
    }
  }

  @Test
  void values_ofDeclaredTypesRoundTrip_andAPlantedClassIsRefusedBeforeItRuns() throws Exception {
    ValueCodec codec = codec(Set.of(Point.class));
    assertThat(codec.decodeValue(codec.encodeValue(new Point(1, 2)))).isEqualTo(new Point(1, 2));
    assertThat(codec.decodeValue(codec.encodeValue(List.of(1L, "two")))).isEqualTo(List.of(1L, "two"));
    assertThat(codec.decodeKey(codec.encodeKey(new Point(3, 4)))).isEqualTo(new Point(3, 4));

    // An array typed by an interface (Hibernate caches an entity's state as Serializable[]) carries allowed
    // values; a planted class inside it is still refused.
    Serializable[] state = {1L, "title", new Point(5, 6)};
    assertThat((Serializable[]) codec.decodeValue(codec.encodeValue(state))).containsExactly(state);
    Serializable[] withGadget = {1L, new Planted()};
    assertThatThrownBy(() -> codec.decodeValue(codec.encodeValue(withGadget))).isInstanceOf(CacheException.class)
        .hasMessageContaining("refused").hasMessageContaining(Planted.class.getName());
    assertThat(Planted.ran).isFalse();

    java.io.ByteArrayOutputStream planted = new java.io.ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(planted)) {
      out.writeObject(new Planted());
    }
    assertThatThrownBy(() -> codec.decodeValue(planted.toByteArray())).isInstanceOf(CacheException.class)
        .hasMessageContaining("refused").hasMessageContaining("cache c");
    assertThat(Planted.ran).isFalse();

    assertThatThrownBy(() -> codec.decodeValue(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5, 0x73}))
        .isInstanceOf(CacheException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> codec.encodeValue(new Object())).isInstanceOf(CacheException.class)
        .hasMessageContaining("java.lang.Object").hasMessageContaining("Serializable");
  }
}
