package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Long outages, many rebuilds, closing at bad moments, wrong credentials: what an operator worries about. */
class RebuildLifecycleTest {

  @Test
  void longOutage_rebuildAttemptsBackOffWithJitterUpToTheCap_andRecoverWhenRedisReturns() throws Exception {
    ResilienceConfig fastBackoff = ResilienceConfig.builder()
        .rebuildBackoffInitial(Duration.ofMillis(40)).rebuildBackoffMax(Duration.ofMillis(320)).build();
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).resilience(fastBackoff).name("backoff").build()) {
      List<SupervisorEvent.RebuildFailed> failed = new CopyOnWriteArrayList<>();
      List<Long> starts = new CopyOnWriteArrayList<>();
      s.events().onEvent(e -> {
        if (e instanceof SupervisorEvent.RebuildFailed f) {
          failed.add(f);
        } else if (e instanceof SupervisorEvent.RebuildStarted) {
          starts.add(System.nanoTime());
        }
      });
      redis.kill();
      await().atMost(Duration.ofSeconds(20)).until(() -> failed.size() >= 8);

      for (SupervisorEvent.RebuildFailed f : failed) {
        long d = Math.min(320, 40L << Math.min(f.attempt() - 1, 10)); // 40, 80, 160, 320, 320...
        assertThat(f.nextAttemptIn().toMillis()).as("wait after attempt " + f.attempt())
            .isBetween(d / 2, d);
      }
      assertThat(failed.stream().map(f -> f.nextAttemptIn().toNanos()).distinct().count())
          .as("jittered, not one fixed delay").isGreaterThan(3);
      for (int i = 1; i < Math.min(starts.size(), failed.size()); i++) {
        long gap = Duration.ofNanos(starts.get(i) - starts.get(i - 1)).toMillis();
        assertThat(gap).as("attempt " + (i + 1) + " waits its backoff")
            .isGreaterThanOrEqualTo(failed.get(i - 1).nextAttemptIn().toMillis());
      }

      redis.node().start();
      await().atMost(Duration.ofSeconds(10)).until(() -> s.state() == SupervisorState.AVAILABLE);
      Writes.set(s, "k", "back");
      assertThat(redis.node().call("GET", "k")).isEqualTo("back");
    }
  }

  @Test
  void fiftyRebuilds_leaveThreadsAndFileDescriptorsAtTheBaseline() {
    try (var redis = RedisTopology.standalone();
        var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("churn").build()) {
      // warm-up: the first rebuild starts threads that then stay (shared pools, Netty's globals)
      rebuildOnce(s);
      Writes.set(s, "k", "v");
      await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      int threadsBefore = liveThreads();
      long fdsBefore = openFds();

      for (int i = 0; i < 50; i++) {
        rebuildOnce(s);
      }
      assertThat(s.rebuildCount()).isEqualTo(51);
      assertThat(Writes.get(s, "k")).isEqualTo("v");

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(liveThreads()).as("live threads (before: %d)", threadsBefore).isLessThanOrEqualTo(threadsBefore + 2);
        assertThat(openFds()).as("open fds (before: %d)", fdsBefore).isLessThanOrEqualTo(fdsBefore + 4);
      });
      System.out.printf("[failover-report] 8 fifty rebuilds: threads %d -> %d, fds %d -> %d%n", threadsBefore,
          liveThreads(), fdsBefore, openFds());
    }
  }

  private static void rebuildOnce(RedisSupervisor s) {
    long before = s.generation();
    s.requestRebuild("test");
    await().atMost(Duration.ofSeconds(10)).until(() -> s.generation() > before && s.state() == SupervisorState.AVAILABLE);
  }

  @Test
  void close_duringAnOutage_returnsWithinTheCloseTimeout_andLeavesNoThread() {
    ResilienceConfig rc = ResilienceConfig.builder().closeTimeout(Duration.ofSeconds(2)).build();
    try (var redis = RedisTopology.standalone()) {
      var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).resilience(rc).name("close-outage").build();
      redis.kill();
      await().atMost(Duration.ofSeconds(5)).until(() -> s.state() == SupervisorState.UNAVAILABLE);
      long start = System.nanoTime();
      s.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(rc.closeTimeout().plusMillis(500));
      assertThat(s.state()).isEqualTo(SupervisorState.CLOSED);
      assertThatThrownBy(() -> Writes.get(s, "k")).isInstanceOf(RedisUnavailableException.class)
          .hasMessageContaining("closed");
      await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("rjc-close-outage-").isEmpty());
    }
  }

  @Test
  void close_duringARebuildAgainstAFrozenNode_returnsWithinTheCloseTimeout_andLeavesNoThread() {
    ResilienceConfig rc = ResilienceConfig.builder().closeTimeout(Duration.ofSeconds(2))
        .verifyTimeout(Duration.ofSeconds(5)).build();
    try (var redis = RedisTopology.standalone()) {
      var s = RedisSupervisor.builder(RedisConfigs.standalone(redis)).resilience(rc).name("close-rebuild").build();
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      s.events().onEvent(events::add);
      redis.freeze();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> events.stream().anyMatch(e -> e.type() == SupervisorEvent.Type.REBUILD_STARTED));
      long start = System.nanoTime();
      s.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(rc.closeTimeout().plusMillis(500));
      redis.thaw();
      await().atMost(Duration.ofSeconds(15)).until(() -> threadsNamed("rjc-close-rebuild-").isEmpty());
    }
  }

  @Test
  void wrongPassword_failsQuicklyWithAClearError_withoutARebuildLoopOrThePassword() {
    String secret = "correct-horse-battery";
    String wrong = "wrong-staple-9431";
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password(secret))) {
      var config = RedisConfigs.standalone(redis);
      config.setPassword(wrong);
      List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
      long start = System.nanoTime();
      Throwable thrown = null;
      try {
        RedisSupervisor.builder(config).name("auth").build().close();
      } catch (RuntimeException e) {
        thrown = e;
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(thrown).isInstanceOf(RedisAuthenticationException.class)
          .hasMessageContaining(redis.uri()).hasMessageContaining("password");
      for (Throwable t = thrown; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(secret);
        assertThat(t.toString()).doesNotContain(wrong).doesNotContain(secret);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> threadsNamed("rjc-auth-").isEmpty());
      assertThat(events).isEmpty();
      System.out.printf("[failover-report] 10 wrong password: error after %d ms%n", took.toMillis());
    }
  }

  /**
   * With Redisson's default retries the refusal comes after the first verify has timed out: the
   * supervisor starts unavailable, then, once Redisson says why, calls get the authentication error and
   * the attempts stop, each one ended by its RebuildFailed.
   */
  @Test
  void aLateRefusal_ofTheCredentials_isTerminalToo_andEveryAttemptEnds() {
    String wrong = "late-wrong-7315";
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password("the-right-one"))) {
      var config = new org.redisson.config.Config();
      config.useSingleServer().setAddress(redis.uri());
      config.setPassword(wrong);
      RedisSupervisor supervisor;
      try {
        supervisor = RedisSupervisor.builder(config).name("late-auth").build();
      } catch (RedisAuthenticationException prompt) {
        assertThat(prompt).hasMessageContaining("refused the credentials").message().doesNotContain(wrong);
        return; // Redisson was quick this time: the prompt path, tested above
      }
      try (supervisor) {
        List<SupervisorEvent> events = new CopyOnWriteArrayList<>();
        supervisor.events().onEvent(events::add);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThatThrownBy(
                () -> supervisor.execute(Idempotence.READ, s -> s.client().getKeys().countAsync()))
            .isInstanceOf(RedisAuthenticationException.class).hasMessageContaining("refused the credentials")
            .message().doesNotContain(wrong));
        await().atMost(Duration.ofSeconds(30)).until(() -> count(events, SupervisorEvent.RebuildStarted.class)
            <= count(events, SupervisorEvent.RebuildFailed.class) + count(events, SupervisorEvent.RebuildSucceeded.class));
        assertThat(supervisor.state()).isEqualTo(SupervisorState.UNAVAILABLE);
      }
    }
  }

  private static long count(List<SupervisorEvent> events, Class<?> type) {
    return events.stream().filter(type::isInstance).count();
  }

  @Test
  void noPassword_whenRedisRequiresOne_isAnAuthenticationErrorToo() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password("needed-pw"))) {
      assertThatThrownBy(() -> RedisSupervisor.builder(RedisConfigs.standalone(redis)).name("noauth").build())
          .isInstanceOf(RedisAuthenticationException.class)
          .message().doesNotContain("needed-pw");
    }
  }

  static List<String> threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith(prefix)).toList();
  }

  private static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  private static long openFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new IllegalStateException("cannot count open file descriptors", e);
    }
  }
}
