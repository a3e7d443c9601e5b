package io.github.resilientjcache.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** What every topology shares: its directory, its processes, its other resources, and a safe close. */
abstract class Fixture implements RedisTopology {

  final Path dir;
  final @Nullable String password;
  private final List<RedisNode> nodes = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  Fixture(String kind, @Nullable String password) {
    this.dir = TestkitDirs.newFixtureDir(kind);
    this.password = password;
  }

  RedisNode node(String name, RedisConf conf) {
    RedisNode n = new RedisNode(name, conf, dir.resolve(name), password);
    nodes.add(n);
    return n;
  }

  <T extends AutoCloseable> T resource(T resource) {
    resources.add(resource);
    return resource;
  }

  /** Runs the fixture's start-up; on any failure closes what was started and rethrows. */
  <T extends Fixture> T started(T self, Runnable startUp) {
    try {
      startUp.run();
      return self;
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** The node in {@code ref}, or an error saying the fixture has not started. */
  static RedisNode startedNode(@Nullable RedisNode ref) {
    if (ref == null) {
      throw new IllegalStateException("not started");
    }
    return ref;
  }

  /** Waits until {@code replica} is connected to {@code primary} and has every write the primary took. */
  static void awaitInSync(RedisNode replica, RedisNode primary) {
    RedisTopology.await(replica + " in sync with " + primary, java.time.Duration.ofSeconds(20),
        () -> "up".equals(replica.infoField("replication", "master_link_status"))
            && primary.infoField("replication", "master_repl_offset")
                .equals(replica.infoField("replication", "slave_repl_offset")));
  }

  @Override
  public List<RedisNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The node at {@code host:port}, if the fixture has one there. */
  @Nullable RedisNode nodeAt(String host, int port) {
    for (RedisNode n : nodes) {
      if (n.host().equals(host) && n.port() == port) {
        return n;
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    for (AutoCloseable r : reversed) {
      try {
        r.close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    for (RedisNode n : nodes) {
      try {
        n.stop();
      } catch (RuntimeException e) {
        // keep closing the rest
      }
    }
    TestkitDirs.deleteRecursively(dir);
  }
}
