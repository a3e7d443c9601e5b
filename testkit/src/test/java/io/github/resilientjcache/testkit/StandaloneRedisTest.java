package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StandaloneRedisTest {

  @Test
  void start_answersPingAndKeepsValues() {
    try (var redis = RedisTopology.standalone()) {
      assertThat(redis.node().call("PING")).isEqualTo("PONG");
      redis.node().call("SET", "k", "v");
      assertThat(redis.node().call("GET", "k")).isEqualTo("v");
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.node().role()).isEqualTo("master");
    }
  }

  @Test
  void withPassword_refusesCommandsWithoutAuth() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password("s3cret-pw"))) {
      assertThat(redis.node().call("PING")).isEqualTo("PONG");
      assertThatThrownBy(() -> RespClient.call(redis.host(), redis.port(), Duration.ofSeconds(2), "GET", "k"))
          .isInstanceOf(RespClient.RedisErrorReply.class)
          .hasMessageStartingWith("NOAUTH");
      try (RespClient c = RespClient.connect(redis.host(), redis.port(), Duration.ofSeconds(2))) {
        assertThatThrownBy(() -> c.send("AUTH", "wrong"))
            .isInstanceOf(RespClient.RedisErrorReply.class)
            .hasMessageContaining("WRONGPASS");
      }
    }
  }

  @Test
  void kill_makesConnectionsRefused() {
    try (var redis = RedisTopology.standalone()) {
      long pid = redis.node().pid();
      redis.kill();
      assertThat(ProcessHandle.of(pid)).isEmpty();
      assertThatThrownBy(() -> redis.node().call("PING"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(ConnectException.class);
    }
  }

  @Test
  void freeze_makesPingTimeOut_andThawAnswersAgain() {
    try (var redis = RedisTopology.standalone()) {
      redis.freeze();
      assertThatThrownBy(() -> RespClient.call(redis.host(), redis.port(), Duration.ofMillis(500), "PING"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
      redis.thaw();
      assertThat(redis.node().call("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void restartEmpty_comesBackOnTheSameAddressWithoutData() {
    try (var redis = RedisTopology.standalone()) {
      redis.node().call("SET", "k", "v");
      long oldPid = redis.node().pid();
      redis.restartEmpty();
      assertThat(redis.node().pid()).isNotEqualTo(oldPid);
      assertThat(redis.node().call("GET", "k")).isNull();
      assertThat(redis.node().call("DBSIZE")).isEqualTo(0L);
    }
  }

  @Test
  void close_leavesNoServerAndNoRegistryEntry() {
    boolean processes = RedisBackend.current() == RedisBackend.PROCESSES;
    long pid;
    try (var redis = RedisTopology.standalone()) {
      pid = redis.node().pid();
      if (processes) { // a container is stopped by the testkit's own shutdown hook, not the registry's
        assertThat(ProcessRegistry.dir().resolve(Long.toString(pid))).exists();
      }
    }
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("the server is gone").isEmpty();
    assertThat(ProcessRegistry.dir().resolve(Long.toString(pid))).doesNotExist();
  }

  @Test
  void toString_neverShowsThePassword() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().password("s3cret-pw"))) {
      assertThat(redis.node().conf().toString()).doesNotContain("s3cret-pw").contains("requirepass ****");
      assertThat(RedisOptions.defaults().password("s3cret-pw").toString()).doesNotContain("s3cret-pw");
      assertThat(redis.toString()).doesNotContain("s3cret-pw");
    }
  }
}
