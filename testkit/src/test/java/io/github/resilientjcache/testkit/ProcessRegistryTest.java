package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRegistryTest {

  /** A redis-server whose owner JVM died without its shutdown hook is killed by the next JVM. */
  @Test
  void reapOrphans_killsServersWhoseOwnerIsGone_andSparesOthers(@TempDir Path dir) throws Exception {
    int port = Ports.freePort("127.0.0.1");
    Process orphan = new ProcessBuilder(RedisServerBinary.get().path().toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--dir", dir.toString())
        .redirectOutput(dir.resolve("log").toFile()).redirectErrorStream(true).start();
    try {
      RedisTopology.await("orphan up", Duration.ofSeconds(10),
          () -> "PONG".equals(RespClient.call("127.0.0.1", port, Duration.ofSeconds(1), "PING")));
      Process deadOwner = new ProcessBuilder("true").start();
      deadOwner.waitFor();

      Properties p = new Properties();
      p.setProperty("owner", Long.toString(deadOwner.pid()));
      p.setProperty("ownerStart", "");
      p.setProperty("start", orphan.toHandle().info().startInstant().orElseThrow().toString());
      Files.createDirectories(ProcessRegistry.dir());
      Path entry = ProcessRegistry.dir().resolve(Long.toString(orphan.pid()));
      try (var out = Files.newBufferedWriter(entry, StandardCharsets.UTF_8)) {
        p.store(out, null);
      }

      try (var live = RedisTopology.standalone()) {
        assertThat(ProcessRegistry.reapOrphans()).isGreaterThanOrEqualTo(1);
        assertThat(orphan.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(entry).doesNotExist();
        assertThat(live.node().call("PING")).as("this JVM's own servers are spared").isEqualTo("PONG");
      }
    } finally {
      orphan.destroyForcibly();
    }
  }

  /** A recycled pid (same number, other start time) is never killed. */
  @Test
  void reapOrphans_sparesAProcessWhoseStartTimeDoesNotMatch() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "30").start();
    try {
      Properties p = new Properties();
      p.setProperty("owner", "999999999");
      p.setProperty("ownerStart", "");
      p.setProperty("start", "2000-01-01T00:00:00Z");
      Files.createDirectories(ProcessRegistry.dir());
      Path entry = ProcessRegistry.dir().resolve(Long.toString(stranger.pid()));
      try (var out = Files.newBufferedWriter(entry, StandardCharsets.UTF_8)) {
        p.store(out, null);
      }
      ProcessRegistry.reapOrphans();
      assertThat(stranger.isAlive()).isTrue();
      assertThat(entry).doesNotExist();
    } finally {
      stranger.destroyForcibly();
    }
  }
}
