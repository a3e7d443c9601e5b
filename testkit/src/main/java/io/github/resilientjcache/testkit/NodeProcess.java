package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A started server, wherever it runs ({@link RedisBackend}): what {@link RedisNode} needs of it. */
interface NodeProcess {

  boolean isAlive();

  /** The server's pid as the host sees it. */
  long pid();

  /** SIGKILL, and wait until it is gone. */
  void kill();

  /** Nothing runs, sockets stay open (SIGSTOP, or the cgroup freezer). */
  void pause();

  void resume();

  /** How it ended, for an error message; empty while it runs. */
  String exitDescription();

  /**
   * Starts {@code redis-server} with {@code args} (the config file first) in {@code dir}, its output appended
   * to {@code log}.
   */
  static NodeProcess start(RedisBackend backend, String name, Path dir, List<String> args, Path log)
      throws IOException {
    return switch (backend) {
      case PROCESSES -> LocalNodeProcess.start(dir, args, log);
      case CONTAINERS -> {
        requireTestcontainers();
        yield ContainerNodeProcess.start(name, dir, args, log);
      }
    };
  }

  /** Testcontainers is optional for the testkit: without it, say what to add rather than a NoClassDefFoundError. */
  static void requireTestcontainers() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false, NodeProcess.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the containers backend (RJC_TESTKIT_BACKEND=containers) needs"
          + " org.testcontainers:testcontainers on the test class path; add it as a test dependency", e);
    }
  }
}
