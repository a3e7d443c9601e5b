package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

  private static final Duration SHORT = Duration.ofMillis(500);

  @Test
  void blackhole_acceptsConnectionsButNeverAnswers() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied())) {
      assertThat(RespClient.call(redis.host(), redis.port(), SHORT, "PING")).isEqualTo("PONG");
      redis.blackhole();
      try (RespClient c = RespClient.connect(redis.host(), redis.port(), SHORT)) {
        assertThatThrownBy(() -> c.send("PING"))
            .isInstanceOf(UncheckedIOException.class)
            .hasCauseInstanceOf(SocketTimeoutException.class);
      }
    }
  }

  @Test
  void blackhole_silencesConnectionsThatWereAlreadyOpen() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        RespClient c = RespClient.connect(redis.host(), redis.port(), SHORT)) {
      assertThat(c.send("PING")).isEqualTo("PONG");
      redis.blackhole();
      assertThatThrownBy(() -> c.send("PING"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
      assertThat(redis.node().call("PING")).as("the node itself is fine").isEqualTo("PONG");
    }
  }

  @Test
  void unblackhole_letsNewConnectionsThrough() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied())) {
      redis.blackhole();
      redis.unblackhole();
      assertThat(RespClient.call(redis.host(), redis.port(), SHORT, "PING")).isEqualTo("PONG");
    }
  }

  @Test
  void resetConnections_breaksOpenConnections_newOnesWork() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        RespClient c = RespClient.connect(redis.host(), redis.port(), SHORT)) {
      assertThat(c.send("PING")).isEqualTo("PONG");
      assertThat(redis.proxy().openConnections()).isEqualTo(1);
      redis.resetConnections();
      assertThatThrownBy(() -> c.send("PING")).isInstanceOf(UncheckedIOException.class);
      assertThat(RespClient.call(redis.host(), redis.port(), SHORT, "PING")).isEqualTo("PONG");
    }
  }

  @Test
  void latency_delaysEveryReply() {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied());
        RespClient c = RespClient.connect(redis.host(), redis.port(), Duration.ofSeconds(5))) {
      redis.latency(Duration.ofMillis(200));
      long start = System.nanoTime();
      assertThat(c.send("PING")).isEqualTo("PONG");
      // one delay on the way in, one on the way out
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
      redis.latency(Duration.ZERO);
    }
  }
}
