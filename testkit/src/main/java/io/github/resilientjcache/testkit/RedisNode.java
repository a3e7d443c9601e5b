package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One real {@code redis-server} (or Sentinel), a local process or a container ({@link RedisBackend}), with the
 * faults a test inflicts on it: kill -9, freeze and thaw (SIGSTOP/SIGCONT, or pause/unpause), restart empty,
 * promote, demote.
 */
public final class RedisNode {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  private final String name;
  private final RedisConf conf;
  private final Path dir;
  private final Path logFile;
  private final @Nullable String password;
  private final RedisBackend backend;
  private volatile @Nullable NodeProcess process;
  private volatile boolean frozen;

  RedisNode(String name, RedisConf conf, Path dir, @Nullable String password) {
    this.backend = RedisBackend.current();
    this.name = name;
    this.conf = conf;
    this.dir = dir;
    this.logFile = dir.resolve("server.log");
    this.password = password;
  }

  public String name() {
    return name;
  }

  public String host() {
    return conf.get("bind").orElseThrow().args().get(0);
  }

  public int port() {
    return Integer.parseInt(conf.get("port").orElseThrow().args().get(0));
  }

  /** {@code host:port}. */
  public String address() {
    return host() + ":" + port();
  }

  /** {@code redis://host:port}, as Redisson takes it. */
  public String uri() {
    return "redis://" + address();
  }

  public RedisConf conf() {
    return conf;
  }

  public Path dir() {
    return dir;
  }

  public long pid() {
    NodeProcess p = process;
    if (p == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return p.pid();
  }

  public boolean isRunning() {
    NodeProcess p = process;
    return p != null && p.isAlive();
  }

  public boolean isFrozen() {
    return frozen;
  }

  /** Starts the process and waits until it answers PING; fails with the server's log otherwise. */
  public synchronized RedisNode start() {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running");
    }
    Path confFile = dir.resolve(conf.isSentinel() ? "sentinel.conf" : "redis.conf");
    List<String> args = new ArrayList<>(List.of(confFile.toString()));
    if (conf.isSentinel()) {
      args.add("--sentinel");
    }
    String where = backend == RedisBackend.PROCESSES ? RedisServerBinary.get().toString()
        : "a container of " + RedisBackend.image();
    try {
      Files.createDirectories(dir);
      Files.writeString(confFile, conf.text(), StandardCharsets.UTF_8);
      Files.writeString(logFile, "---- starting " + name + " (" + where + ")\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      process = NodeProcess.start(backend, name, dir, args, logFile);
      frozen = false;
      ServerLogs.started(this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " with " + where, e);
    }
    awaitPing();
    return this;
  }

  private void awaitPing() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      NodeProcess p = process;
      if (p == null || !p.isAlive()) {
        throw new RedisStartException(name + " exited while starting"
            + (p == null ? "" : " (" + p.exitDescription() + ")"), log());
      }
      try {
        if ("PONG".equals(call("PING"))) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      parkMillis(25);
    }
    throw new RedisStartException(name + " did not answer PING within " + START_TIMEOUT.toSeconds() + " s"
        + (last == null ? "" : " (last: " + last.getMessage() + ")"), log());
  }

  /** Runs one command on a fresh connection, authenticating first when the node has a password. */
  public @Nullable Object call(String... command) {
    try (RespClient c = connect(CALL_TIMEOUT)) {
      return c.send(command);
    }
  }

  /** A new connection to this node, authenticated when it has a password. */
  public RespClient connect(Duration timeout) {
    RespClient c = RespClient.connect(host(), port(), timeout);
    if (password != null && !conf.isSentinel()) {
      try {
        c.send("AUTH", password);
      } catch (RuntimeException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** One section of {@code INFO}, as text. */
  public String info(String section) {
    Object reply = call("INFO", section);
    return reply == null ? "" : reply.toString();
  }

  /** A field of {@code INFO}, such as {@code role} or {@code master_link_status}. */
  public String infoField(String section, String field) {
    for (String line : info(section).split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }

  /** {@code master}, {@code slave}, or {@code sentinel}, as the node reports it. */
  public String role() {
    Object reply = call("ROLE");
    if (reply instanceof List<?> list && !list.isEmpty()) {
      return String.valueOf(list.get(0));
    }
    throw new IllegalStateException("unexpected ROLE reply from " + name + ": " + reply);
  }

  // ---- faults

  /** kill -9: the process dies at once, its sockets are closed by the kernel. */
  public synchronized void kill() {
    NodeProcess p = process;
    if (p == null) {
      return;
    }
    p.kill();
    process = null;
    frozen = false;
  }

  /** SIGSTOP: the node keeps its sockets, the kernel still accepts connections, nothing answers. */
  public synchronized void freeze() {
    running().pause();
    frozen = true;
  }

  /** SIGCONT: a frozen node resumes where it stopped. */
  public synchronized void thaw() {
    running().resume();
    frozen = false;
  }

  /** kill -9, then start again with no data (what a replaced cache node looks like). */
  public synchronized RedisNode restartEmpty() {
    kill();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String n = f.getFileName().toString();
        if (n.endsWith(".rdb") || n.startsWith("appendonly")) {
          TestkitDirs.deleteRecursively(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty " + dir, e);
    }
    return start();
  }

  /** {@code REPLICAOF NO ONE}: the node becomes a primary; a later restart keeps it one. */
  public void promote() {
    call("REPLICAOF", "NO", "ONE");
    conf.removeReplicaOf();
  }

  /** {@code REPLICAOF primary}: the node becomes a replica; writes to it get {@code READONLY}. */
  public void replicaOf(RedisNode primary) {
    conf.replicaOf(primary.host(), primary.port());
    if (isRunning()) {
      call("REPLICAOF", primary.host(), Integer.toString(primary.port()));
    }
  }

  /** Stops the process for good (kill -9: nothing is persisted anyway). */
  public synchronized void stop() {
    kill();
    ServerLogs.stopped(this);
  }

  /** Everything the server printed, across restarts. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private NodeProcess running() {
    NodeProcess p = process;
    if (p == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return p;
  }

  static void parkMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + address() + (isRunning() ? (frozen ? " (frozen)" : "") : " (down)");
  }
}
