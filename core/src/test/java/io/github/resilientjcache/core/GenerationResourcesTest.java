package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.StringCodec;

/** What a cache layer keeps per client: subscriptions and scripts, across rebuilds and failovers. */
class GenerationResourcesTest {

  /** A subscription to one channel, opened on each client; records what each generation received. */
  private static final class Subscription implements GenerationResource<Integer> {
    final List<String> received = new CopyOnWriteArrayList<>();
    final Set<Integer> closedIds = ConcurrentHashMap.newKeySet();

    @Override
    public CompletionStage<Integer> open(RedissonClient client) {
      RTopic topic = client.getTopic("invalidations", StringCodec.INSTANCE);
      return topic.addListenerAsync(String.class, (channel, message) -> received.add(message));
    }

    @Override
    public void close(RedissonClient client, Integer listenerId) {
      closedIds.add(listenerId);
      client.getTopic("invalidations", StringCodec.INSTANCE).removeListener(listenerId);
    }
  }

  /**
   * A subscription made while a swap was under way could land on the dying client and lose every message
   * after it. An attachment is opened on each new client before that client takes a single call, and
   * closed on the old one.
   */
  @Test
  void attachedSubscription_isOpenOnEveryNewClient_beforeItTakesACall_andClosedOnTheOld() {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("attach").build()) {
      Subscription sub = new Subscription();
      Attachment<Integer> attachment = s.attach("invalidations", sub);
      await().atMost(Duration.ofSeconds(5))
          .until(() -> s.execute(Idempotence.READ, session -> CompletableFuture.completedFuture(
              session.resource(attachment) != null)));
      List<String> seenOnFirstCall = new CopyOnWriteArrayList<>();
      s.events().onGenerationChanged(e -> {
        String seen = s.execute(Idempotence.READ,
            session -> CompletableFuture.completedFuture(session.generation() + ":" + session.resource(attachment)));
        seenOnFirstCall.add(seen);
      });

      for (int rebuild = 2; rebuild <= 4; rebuild++) {
        long generation = rebuild;
        s.requestRebuild("test");
        await().atMost(Duration.ofSeconds(10)).until(() -> s.generation() == generation);
        String message = "m" + rebuild;
        redis.node().call("PUBLISH", "invalidations", message);
        await().atMost(Duration.ofSeconds(5)).until(() -> sub.received.contains(message));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> seenOnFirstCall.size() == 3);
      assertThat(seenOnFirstCall).as("the first call on each new generation finds the subscription open")
          .allSatisfy(v -> assertThat(v).doesNotEndWith(":null"));
      assertThat(sub.received).as("each message once: only one subscription is live").containsExactly("m2", "m3", "m4");
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.closedIds.size() == 3);

      attachment.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.closedIds.size() == 4);
      redis.node().call("PUBLISH", "invalidations", "after-close");
      assertThat(Writes.get(s, "k")).isNull(); // a round trip after the publish
      assertThat(sub.received).doesNotContain("after-close");
    }
  }

  private static String sha1(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Scripts loaded on one node are gone on a promoted replica or a restarted node (NOSCRIPT): handled once,
   * centrally (Redisson's script cache, which the supervisor keeps on), so the first call after a failover
   * succeeds.
   */
  @Test
  void aScriptLoadedBeforeAFailover_runsOnTheNewPrimary_withoutNoscriptReachingTheCaller() {
    String script = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
    RedisOperation<Long> incrBy = session -> session.client()
        .getScript(session.options(OptionalOptions.defaults().codec(StringCodec.INSTANCE)))
        .evalAsync(RScript.Mode.READ_WRITE, script, RScript.ReturnType.LONG, List.of("n"), "5");
    try (var redis = RedisTopology.primaryWithReplica();
        var s = RedisSupervisor.builder(RedisConfigs.primaryEndpoint(redis)).name("noscript").build()) {
      assertThat(s.execute(Idempotence.NON_IDEMPOTENT, incrBy)).isEqualTo(5L);
      redis.awaitReplicaInSync();
      redis.failover();
      await().atMost(Duration.ofSeconds(15)).until(() -> s.generation() == 2 && s.state() == SupervisorState.AVAILABLE);
      assertThat(redis.primary().call("SCRIPT", "EXISTS", sha1(script))).as("the promoted replica lacks the script")
          .isEqualTo(List.of(0L));
      assertThat(s.execute(Idempotence.NON_IDEMPOTENT, incrBy)).as("first call on the promoted replica").isEqualTo(10L);

      redis.restartEmpty(redis.primary());
      await().atMost(Duration.ofSeconds(15)).until(() -> {
        try {
          return s.execute(Idempotence.NON_IDEMPOTENT, incrBy) == 5L;
        } catch (RedisUnavailableException e) {
          return false; // the node is restarting
        }
      });
    }
  }
}
