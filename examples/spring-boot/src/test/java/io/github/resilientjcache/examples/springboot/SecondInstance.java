package io.github.resilientjcache.examples.springboot;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.web.client.RestClient;

/**
 * The application started as a user starts it, in a JVM of its own: {@code java Application}, with the address
 * in {@code REDIS_ADDRESS} for {@code spring-cache.yaml}. Its repository is its own and starts empty, so all it
 * knows of the first instance's products comes through the shared cache.
 */
final class SecondInstance implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final RestClient http;

  private SecondInstance(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.http = Http.client(port);
  }

  static SecondInstance start(String redisAddress) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Files.createDirectories(Path.of("target", "second-instance"));
    Path log = dir.resolve("instance-" + port + ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Application.class.getName(),
        "--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("REDIS_ADDRESS", redisAddress);
    SecondInstance instance = new SecondInstance(pb.start(), log, port);
    try {
      instance.awaitReady();
    } catch (RuntimeException | Error e) {
      instance.close();
      throw e;
    }
    return instance;
  }

  RestClient http() {
    return http;
  }

  /** Up, and its near cache of {@code products} in sync: from then on it hears every change. */
  @SuppressWarnings("unchecked")
  private void awaitReady() {
    await("the second instance up, its near cache in sync (log: " + log + ")").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .failFast("the second instance exited (log: " + log + ")", () -> !process.isAlive())
        .until(() -> {
          Map<String, Object> details = Http.details(Http.health(http));
          Map<String, Object> products = (Map<String, Object>) ((Map<String, Object>) details.get("caches"))
              .get("products");
          return Boolean.TRUE.equals(products.get("nearCacheInSync"));
        });
  }

  @Override
  public void close() {
    process.destroy(); // SIGTERM: Spring closes the context, and with it the cache manager
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
