package io.github.resilientjcache.examples.springboot;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.client.RestClient;

/**
 * The application started as a user starts it, in a JVM of its own: {@code java Application}, with the address
 * in {@code REDIS_ADDRESS} for {@code spring-cache.yaml}. Its repository is its own and starts empty, so all it
 * knows of the first instance's products comes through the shared cache.
 */
final class SecondInstance implements AutoCloseable {

  private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

  private final Process process;
  private final Path log;
  private final RestClient http;

  private SecondInstance(Process process, Path log, RestClient http) {
    this.process = process;
    this.log = log;
    this.http = http;
  }

  static SecondInstance start(String redisAddress) throws IOException {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "second-instance-");
    Path log = dir.resolve("instance.log");
    // Port 0, and the web server's start-up line says which one it got: no port picked here that another
    // process could take before the child binds it.
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Application.class.getName(),
        "--server.port=0", "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
        "--logging.level.org.springframework.boot.tomcat=INFO")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("REDIS_ADDRESS", redisAddress);
    Process process = pb.start();
    try {
      int port = await("the second instance's port (log: " + log + ")").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(100))
          .failFast("the second instance exited (log: " + log + ")", () -> !process.isAlive())
          .until(() -> startedOn(log), p -> p > 0);
      SecondInstance instance = new SecondInstance(process, log, Http.client(port));
      instance.awaitReady();
      return instance;
    } catch (RuntimeException | Error e) {
      stop(process);
      throw e;
    }
  }

  /** The port in Tomcat's "Tomcat started on port N" line, or 0 before it is logged. */
  private static int startedOn(Path log) throws IOException {
    Matcher m = STARTED.matcher(Files.readString(log));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
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
    stop(process);
  }

  /** SIGTERM: Spring closes the context, and with it the cache manager; SIGKILL if that takes too long. */
  private static void stop(Process process) {
    process.destroy();
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
