package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Which backend runs the servers; in the {@code containers} execution (see the pom), that the servers really
 * are in containers of the configured image.
 */
class RedisBackendTest {

  @Test
  void backendIsChosenByProperty_andABadNameIsRefusedByName() {
    String before = System.getProperty("rjc.testkit.backend");
    try {
      System.setProperty("rjc.testkit.backend", "Containers");
      assertThat(RedisBackend.current()).isEqualTo(RedisBackend.CONTAINERS);
      System.setProperty("rjc.testkit.backend", "processes");
      assertThat(RedisBackend.current()).isEqualTo(RedisBackend.PROCESSES);
      System.setProperty("rjc.testkit.backend", "vms");
      assertThatThrownBy(RedisBackend::current).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("RJC_TESTKIT_BACKEND").hasMessageContaining("vms");
    } finally {
      if (before == null) {
        System.clearProperty("rjc.testkit.backend");
      } else {
        System.setProperty("rjc.testkit.backend", before);
      }
    }
  }

  @Test
  void eachServerRunsWhereTheBackendSays() throws Exception {
    try (var redis = RedisTopology.standalone()) {
      long pid = redis.node().pid();
      String cgroup = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
      // A process this JVM starts shares its cgroup (even when the JVM itself runs in a container).
      boolean inContainer = !cgroup.equals(Files.readString(Path.of("/proc/self/cgroup")))
          && (cgroup.contains("libpod") || cgroup.contains("docker") || cgroup.contains("containerd"));
      assertThat(inContainer).as("pid %d's cgroup:%n%s", pid, cgroup)
          .isEqualTo(RedisBackend.current() == RedisBackend.CONTAINERS);
      assertThat(redis.node().log()).contains(RedisBackend.current() == RedisBackend.CONTAINERS
          ? "a container of " + RedisBackend.image() : "redis-server");
      assertThat(redis.node().call("PING")).isEqualTo("PONG");
    }
  }
}
