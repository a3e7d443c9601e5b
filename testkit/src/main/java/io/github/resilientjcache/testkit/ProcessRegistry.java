package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure no {@code redis-server} outlives the JVM that started it.
 *
 * <p>Each started process is written to a registry directory with its own and its owner's start
 * instants. A shutdown hook kills this JVM's processes; when a JVM died without running hooks (kill -9,
 * a surefire timeout), the next JVM that loads this class reaps what it left. The start instants guard
 * against a recycled pid: a process is only killed when its pid and its start instant both match.
 */
final class ProcessRegistry {

  private static final Map<Long, Process> LIVE = new ConcurrentHashMap<>();
  private static final ProcessHandle SELF = ProcessHandle.current();

  static {
    reapOrphans();
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessRegistry::killAll, "testkit-reaper"));
  }

  private ProcessRegistry() {}

  static void register(Process process) {
    LIVE.put(process.pid(), process);
    Properties p = new Properties();
    p.setProperty("owner", Long.toString(SELF.pid()));
    p.setProperty("ownerStart", startOf(SELF).map(Instant::toString).orElse(""));
    p.setProperty("start", startOf(process.toHandle()).map(Instant::toString).orElse(""));
    p.setProperty("command", process.info().command().orElse("redis-server"));
    try {
      Path dir = dir();
      Files.createDirectories(dir);
      try (var out = Files.newBufferedWriter(dir.resolve(Long.toString(process.pid())), StandardCharsets.UTF_8)) {
        p.store(out, "redis-server started by the resilient-jcache testkit");
      }
    } catch (IOException e) {
      // The shutdown hook still covers this JVM; only a crash would leak this one process.
    }
  }

  static void unregister(Process process) {
    LIVE.remove(process.pid());
    try {
      Files.deleteIfExists(dir().resolve(Long.toString(process.pid())));
    } catch (IOException e) {
      // Reaped later: the next JVM finds the process gone and removes the entry.
    }
  }

  static void killAll() {
    for (Process p : LIVE.values()) {
      p.destroyForcibly();
    }
    for (Process p : LIVE.values()) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      unregister(p);
    }
  }

  /** Kills processes whose owner JVM is gone. Returns how many it killed. */
  static int reapOrphans() {
    int killed = 0;
    Path dir = dir();
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(entry, StandardCharsets.UTF_8)) {
          p.load(in);
        } catch (IOException | IllegalArgumentException e) {
          continue;
        }
        if (alive(p.getProperty("owner", ""), p.getProperty("ownerStart", ""))) {
          continue;
        }
        Optional<ProcessHandle> orphan = handle(entry.getFileName().toString(), p.getProperty("start", ""));
        if (orphan.isPresent()) {
          orphan.get().destroyForcibly();
          killed++;
        }
        Files.deleteIfExists(entry);
      }
    } catch (IOException e) {
      // Nothing to reap that we can see.
    }
    return killed;
  }

  static Path dir() {
    return TestkitDirs.root().resolve("processes");
  }

  private static boolean alive(String pid, String start) {
    return handle(pid, start).isPresent();
  }

  private static Optional<ProcessHandle> handle(String pid, String start) {
    long id;
    try {
      id = Long.parseLong(pid.trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(id)
        .filter(ProcessHandle::isAlive)
        .filter(h -> start.isEmpty() || startOf(h).map(Instant::toString).orElse("").equals(start));
  }

  private static Optional<Instant> startOf(ProcessHandle h) {
    return h.info().startInstant();
  }
}
