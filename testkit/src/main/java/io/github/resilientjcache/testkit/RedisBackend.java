package io.github.resilientjcache.testkit;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where the fixtures' servers run. Chosen per JVM by the environment variable {@code RJC_TESTKIT_BACKEND} or
 * the system property {@code rjc.testkit.backend} (the property wins): {@code processes} (the default) or
 * {@code containers}. Every fixture, fault and address is the same on both.
 */
public enum RedisBackend {

  /** Local {@code redis-server} processes ({@link RedisServerBinary} finds the binary). */
  PROCESSES,

  /**
   * One container per server, through Testcontainers (Docker, or podman's Docker-compatible API), on the host's
   * network, so the servers listen on the same loopback addresses as processes would and every fixture works
   * unchanged (Sentinel and Cluster announce addresses the test can reach). The image is
   * {@code RJC_TESTKIT_IMAGE} / {@code rjc.testkit.image}, {@value #DEFAULT_IMAGE} by default; any image whose
   * {@code redis-server} is on the {@code PATH} will do (Valkey's too). Kill is {@code docker kill}, freeze
   * is {@code docker pause} (the cgroup freezer: as SIGSTOP, sockets stay open and nothing answers).
   * Testcontainers is an optional dependency of the testkit: add {@code org.testcontainers:testcontainers}
   * to use this backend.
   */
  CONTAINERS;

  /** The image the containers backend runs when none is named. */
  public static final String DEFAULT_IMAGE = "redis:7.4";

  /** The backend this JVM's fixtures use. */
  public static RedisBackend current() {
    String v = setting("rjc.testkit.backend", "RJC_TESTKIT_BACKEND");
    if (v == null || v.isBlank()) {
      return PROCESSES;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "processes", "process" -> PROCESSES;
      case "containers", "container", "testcontainers" -> CONTAINERS;
      default -> throw new IllegalArgumentException("RJC_TESTKIT_BACKEND (or rjc.testkit.backend) must be"
          + " processes or containers, not " + v);
    };
  }

  /**
   * For a test that starts its fixture where a skip cannot reach JUnit (in a Spring context, say): with the
   * containers backend and no engine answering, skips the test (fails it with {@code CI=true}); else returns.
   */
  public static void requireAvailable() {
    if (current() == CONTAINERS) {
      NodeProcess.requireTestcontainers();
      ContainerNodeProcess.requireDocker();
    }
  }

  /** The image of the containers backend. */
  public static String image() {
    String v = setting("rjc.testkit.image", "RJC_TESTKIT_IMAGE");
    return v == null || v.isBlank() ? DEFAULT_IMAGE : v.strip();
  }

  private static @Nullable String setting(String property, String variable) {
    String v = System.getProperty(property);
    return v != null ? v : System.getenv(variable);
  }
}
