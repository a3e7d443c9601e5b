package io.github.resilientjcache.jcache;

import static io.github.resilientjcache.jcache.Configs.near;
import static io.github.resilientjcache.jcache.Configs.provider;
import static io.github.resilientjcache.jcache.Configs.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import javax.cache.Cache;
import javax.cache.CacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider as an ACL user with only what docs/failover.md lists: every command path (reads, writes,
 * scripts, batch operations, invoke, clear, iteration), and two managers' near caches kept in step through
 * their subscriptions, which Redis 7 allows only with a channel pattern ({@code &rjc:*}).
 */
class AclUserTest {

  /** docs/failover.md's minimal user: its keys and channels, and the command categories the provider uses. */
  static final String RULES = "~rjc:* &rjc:* -@all +@read +@write +@scripting +@pubsub +@connection +time";

  @TempDir
  Path dir;

  private CacheManager manager(StandaloneRedis redis, String name) throws Exception {
    return provider().getCacheManager(Configs.file(dir, name, """
        username: app
        password: app-secret
        singleServerConfig:
          address: "%s"
          timeout: 1000
        nearCache:
          enabled: true
        """.formatted(redis.uri())), getClass().getClassLoader());
  }

  @Test
  void aLeastPrivilegeUser_reachesEveryCommandPath_andNearCachesAreInvalidated() throws Exception {
    try (StandaloneRedis redis = RedisTopology.standalone(RedisOptions.defaults().user("app", "app-secret", RULES));
        CacheManager a = manager(redis, "a");
        CacheManager b = manager(redis, "b")) {
      Cache<String, String> ca = a.createCache("acl", strings());
      Cache<String, String> cb = b.createCache("acl", strings());
      await("both near caches in sync (their subscriptions allowed)").atMost(Duration.ofSeconds(10))
          .until(() -> near(ca).inSync() && near(cb).inSync());
      ca.put("k", "v1");
      assertThat(cb.get("k")).isEqualTo("v1");
      ca.put("k", "v2");
      await("B's near cache told of A's write").atMost(Duration.ofSeconds(10)).until(() -> "v2".equals(cb.get("k")));
      assertThat(ca.putIfAbsent("k", "x")).isFalse();
      assertThat(ca.replace("k", "v2", "v3")).isTrue();
      assertThat(ca.getAndRemove("k")).isEqualTo("v3");
      ca.putAll(Map.of("a", "1", "b", "2"));
      assertThat(ca.getAll(Set.of("a", "b"))).containsEntry("a", "1").containsEntry("b", "2");
      assertThat(ca.containsKey("a")).isTrue();
      String processed = ca.invoke("a", (e, args) -> {
        e.setValue(e.getValue() + "!");
        return e.getValue();
      });
      assertThat(processed).isEqualTo("1!");
      ca.removeAll(Set.of("a"));
      assertThat(ca.get("a")).isNull();
      ca.clear();
      assertThat(ca.get("b")).isNull();
      await("B hears the clear").atMost(Duration.ofSeconds(10)).until(() -> cb.get("b") == null);
      ca.put("c", "3");
      int n = 0;
      for (var it = ca.iterator(); it.hasNext(); it.next()) {
        n++;
      }
      assertThat(n).isEqualTo(1);
    }
  }
}
