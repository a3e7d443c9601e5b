package io.github.resilientjcache.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code redis.conf} of one node, as an ordered list of directives. The presets here are the only
 * place the testkit decides how a server is configured, so docker-compose.yml can be checked against
 * them.
 */
public final class RedisConf {

  /** Directives that say where a node lives (address, files), not how it behaves. */
  public static final List<String> PLACEMENT = List.of("bind", "port", "dir", "logfile", "daemonize",
      "replicaof", "cluster-config-file", "sentinel monitor", "sentinel announce-ip", "replica-announce-ip");

  /** One directive: a name and its arguments, as written in a config file or after {@code --}. */
  public record Directive(String name, List<String> args) {
    public Directive {
      Objects.requireNonNull(name);
      args = List.copyOf(args);
    }

    String line() {
      StringBuilder b = new StringBuilder(name);
      for (String a : args) {
        b.append(' ').append(quote(a));
      }
      return b.toString();
    }

    private static String quote(String a) {
      return a.isEmpty() || a.contains(" ") || a.contains("\"") ? '"' + a.replace("\"", "\\\"") + '"' : a;
    }
  }

  private final List<Directive> directives = new ArrayList<>();
  private final boolean sentinel;

  private RedisConf(boolean sentinel) {
    this.sentinel = sentinel;
  }

  /** A data node without persistence, ready to sync a replica at once. */
  public static RedisConf server(String bind, int port, Path dir) {
    return new RedisConf(false)
        .set("bind", bind)
        .set("port", Integer.toString(port))
        .set("dir", dir.toString())
        .set("daemonize", "no")
        .set("logfile", "")
        .set("protected-mode", "no")
        .set("save", "")
        .set("appendonly", "no")
        .set("repl-diskless-sync", "yes")
        .set("repl-diskless-sync-delay", "0");
  }

  /** A Sentinel watching {@code masterName} with short, test-sized timeouts. */
  public static RedisConf sentinel(String bind, int port, Path dir, String masterName, String masterHost,
      int masterPort, int quorum, long downAfterMillis, long failoverTimeoutMillis) {
    return new RedisConf(true)
        .set("bind", bind)
        .set("port", Integer.toString(port))
        .set("dir", dir.toString())
        .set("daemonize", "no")
        .set("logfile", "")
        .set("protected-mode", "no")
        .add("sentinel monitor", masterName, masterHost, Integer.toString(masterPort), Integer.toString(quorum))
        .add("sentinel down-after-milliseconds", masterName, Long.toString(downAfterMillis))
        .add("sentinel failover-timeout", masterName, Long.toString(failoverTimeoutMillis))
        .add("sentinel parallel-syncs", masterName, "1");
  }

  /** Turns a data node into a cluster node. */
  public RedisConf cluster(long nodeTimeoutMillis) {
    return set("cluster-enabled", "yes")
        .set("cluster-config-file", "nodes.conf")
        .set("cluster-node-timeout", Long.toString(nodeTimeoutMillis));
  }

  /** Requires a password from clients, and uses it towards its primary. */
  public RedisConf password(String password) {
    return set("requirepass", password).set("masterauth", password);
  }

  /** Adds an ACL user: {@code user <name> on ><password> <rules...>}. */
  public RedisConf user(RedisOptions.AclUser user) {
    List<String> args = new java.util.ArrayList<>(List.of(user.name(), "on", ">" + user.password()));
    args.addAll(List.of(user.rules().trim().split("\\s+")));
    directives.removeIf(d -> d.name().equals("user") && !d.args().isEmpty() && d.args().get(0).equals(user.name()));
    return add("user", args.toArray(String[]::new));
  }

  public RedisConf replicaOf(String host, int port) {
    return set("replicaof", host, Integer.toString(port));
  }

  public RedisConf removeReplicaOf() {
    directives.removeIf(d -> d.name().equals("replicaof"));
    return this;
  }

  /** Sets a directive, replacing any earlier one of the same name. */
  public RedisConf set(String name, String... args) {
    directives.removeIf(d -> d.name().equals(name));
    return add(name, args);
  }

  private RedisConf add(String name, String... args) {
    directives.add(new Directive(name, List.of(args)));
    return this;
  }

  public List<Directive> directives() {
    return List.copyOf(directives);
  }

  public Optional<Directive> get(String name) {
    return directives.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  public boolean isSentinel() {
    return sentinel;
  }

  /** The directives that say how the node behaves, leaving out where it lives ({@link #PLACEMENT}). */
  public List<Directive> behaviour() {
    return directives.stream().filter(d -> !PLACEMENT.contains(d.name())).toList();
  }

  /** The config file text. */
  public String text() {
    StringBuilder b = new StringBuilder();
    for (Directive d : directives) {
      b.append(d.line()).append('\n');
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return directives.stream()
        .map(d -> d.name().equals("requirepass") || d.name().equals("masterauth") ? d.name() + " ****"
            : d.name().equals("user") ? "user " + d.args().get(0) + " ****" : d.line())
        .toList().toString();
  }
}
