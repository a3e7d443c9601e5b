package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the {@code redis-server} binary the fixtures run: {@code REDIS_SERVER}, else {@code redis-server}
 * on {@code PATH}, else the binary shipped in {@code com.github.codemonstur:embedded-redis}.
 */
public final class RedisServerBinary {

  /** Environment variable (or system property) naming the binary to run. */
  public static final String ENV = "REDIS_SERVER";

  private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)");
  private static volatile RedisServerBinary instance;

  private final Path path;
  private final String origin;
  private final int major;
  private final int minor;

  private RedisServerBinary(Path path, String origin) {
    this.path = path;
    this.origin = origin;
    String version = run(path, "--version");
    Matcher m = VERSION.matcher(version);
    if (!m.find()) {
      throw new IllegalStateException(path + " --version printed no version: " + version.strip());
    }
    this.major = Integer.parseInt(m.group(1));
    this.minor = Integer.parseInt(m.group(2));
  }

  /** The binary every fixture of this JVM runs, found once. */
  public static RedisServerBinary get() {
    RedisServerBinary result = instance;
    if (result == null) {
      synchronized (RedisServerBinary.class) {
        result = instance;
        if (result == null) {
          result = locate();
          instance = result;
        }
      }
    }
    return result;
  }

  public Path path() {
    return path;
  }

  /** Where the binary came from: the environment variable, {@code PATH}, or the embedded jar. */
  public String origin() {
    return origin;
  }

  public int majorVersion() {
    return major;
  }

  public String version() {
    return major + "." + minor;
  }

  @Override
  public String toString() {
    return "redis-server " + version() + " at " + path + " (" + origin + ")";
  }

  private static RedisServerBinary locate() {
    String named = System.getProperty(ENV, System.getenv(ENV));
    if (named != null && !named.isBlank()) {
      Path p = Path.of(named);
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(ENV + " names " + named + ", which is not an executable file");
      }
      return new RedisServerBinary(p, ENV);
    }
    Optional<Path> onPath = onPath("redis-server");
    if (onPath.isPresent()) {
      return new RedisServerBinary(onPath.get(), "PATH");
    }
    return new RedisServerBinary(extractEmbedded(), "embedded-redis jar");
  }

  private static Optional<Path> onPath(String name) {
    String pathVar = System.getenv("PATH");
    if (pathVar == null) {
      return Optional.empty();
    }
    for (String dir : pathVar.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The name of the binary in the embedded-redis jar for this OS and architecture. */
  static String embeddedResourceName() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    if (os.contains("linux")) {
      if (x64) {
        return "redis-server-6.2.6-v5-linux-amd64";
      }
      if (arm) {
        return "redis-server-6.2.7-linux-arm64";
      }
    } else if (os.contains("mac")) {
      if (x64) {
        return "redis-server-6.2.6-v5-darwin-amd64";
      }
      if (arm) {
        return "redis-server-6.2.6-v5-darwin-arm64";
      }
    }
    throw new IllegalStateException("no redis-server found: set " + ENV + " or put redis-server on PATH"
        + " (the embedded-redis jar has no binary for " + os + "/" + arch + ")");
  }

  /** Extracts the embedded binary once per machine user, atomically, and makes it executable. */
  static Path extractEmbedded() {
    String name = embeddedResourceName();
    Path dir = TestkitDirs.root().resolve("bin");
    Path target = dir.resolve(name);
    if (Files.isExecutable(target)) {
      return target;
    }
    try (InputStream in = RedisServerBinary.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("no redis-server found: set " + ENV + ", put redis-server on PATH,"
            + " or add com.github.codemonstur:embedded-redis to the test class path (" + name + " is missing)");
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, name, ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      if (!tmp.toFile().setExecutable(true, true)) {
        throw new IOException("cannot make " + tmp + " executable");
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + name + " to " + dir, e);
    }
  }

  private static String run(Path binary, String arg) {
    try {
      Process p = new ProcessBuilder(binary.toString(), arg).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(binary + " " + arg + " did not finish in 10 s");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary, e);
    }
  }
}
