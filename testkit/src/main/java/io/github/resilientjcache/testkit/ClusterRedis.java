package io.github.resilientjcache.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of three primaries and three replicas on loopback, with a 1 s
 * {@code cluster-node-timeout}, assembled without {@code redis-cli} (CLUSTER MEET, ADDSLOTS, REPLICATE),
 * so it also works with the embedded binary, which ships no {@code redis-cli}.
 */
public final class ClusterRedis extends Fixture {

  public static final int SLOTS = 16_384;
  static final long NODE_TIMEOUT_MILLIS = 1_000;
  private static final String HOST = "127.0.0.1";
  private static final int BUS_OFFSET = 10_000;

  private ClusterRedis() {
    super("cluster", null);
  }

  static ClusterRedis start() {
    ClusterRedis f = new ClusterRedis();
    return f.started(f, f::startUp);
  }

  private void startUp() {
    List<RedisNode> nodes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String name = "node-" + i;
      int port = Ports.freePort(BUS_OFFSET, HOST);
      nodes.add(node(name, RedisConf.server(HOST, port, dir.resolve(name)).cluster(NODE_TIMEOUT_MILLIS)).start());
    }
    RedisNode first = nodes.get(0);
    for (RedisNode n : nodes.subList(1, 6)) {
      first.call("CLUSTER", "MEET", n.host(), Integer.toString(n.port()));
    }
    for (RedisNode n : nodes) {
      RedisTopology.await(n + " to know all 6 nodes", Duration.ofSeconds(20),
          () -> "6".equals(clusterInfo(n, "cluster_known_nodes")));
    }
    int per = SLOTS / 3;
    for (int i = 0; i < 3; i++) {
      int from = i * per;
      int to = i == 2 ? SLOTS - 1 : (i + 1) * per - 1;
      List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int s = from; s <= to; s++) {
        cmd.add(Integer.toString(s));
      }
      nodes.get(i).call(cmd.toArray(String[]::new));
    }
    for (int i = 0; i < 3; i++) {
      RedisNode master = nodes.get(i);
      RedisNode rep = nodes.get(i + 3);
      String masterId = String.valueOf(master.call("CLUSTER", "MYID"));
      // The replica must have learnt that the master owns slots before it accepts REPLICATE.
      RedisTopology.await(rep + " to replicate " + master, Duration.ofSeconds(20), () -> {
        rep.call("CLUSTER", "REPLICATE", masterId);
        return true;
      });
    }
    awaitHealthy(Duration.ofSeconds(30));
  }

  /** Waits for {@code cluster_state:ok} on every running node and every replica in sync. */
  public void awaitHealthy(Duration timeout) {
    for (RedisNode n : nodes()) {
      if (!n.isRunning()) {
        continue;
      }
      RedisTopology.await(n + " to report cluster_state:ok", timeout,
          () -> "ok".equals(clusterInfo(n, "cluster_state")));
    }
    for (RedisNode n : replicas()) {
      RedisTopology.await(n + " in sync", timeout,
          () -> "up".equals(n.infoField("replication", "master_link_status")));
    }
  }

  /** {@code redis://host:port} of every node, as Redisson's {@code nodeAddresses} takes them. */
  public List<String> seedUris() {
    return nodes().stream().map(RedisNode::uri).toList();
  }

  /** The running nodes that say they are primaries. */
  public List<RedisNode> primaries() {
    return nodes().stream().filter(RedisNode::isRunning).filter(n -> !n.isFrozen())
        .filter(n -> "master".equals(n.role())).toList();
  }

  /** The running nodes that say they are replicas. */
  public List<RedisNode> replicas() {
    return nodes().stream().filter(RedisNode::isRunning).filter(n -> !n.isFrozen())
        .filter(n -> "slave".equals(n.role())).toList();
  }

  /** The primary that serves {@code slot}, according to {@code CLUSTER SLOTS} on a running node. */
  public RedisNode primaryForSlot(int slot) {
    for (RedisNode n : nodes()) {
      if (!n.isRunning() || n.isFrozen()) {
        continue;
      }
      if (n.call("CLUSTER", "SLOTS") instanceof List<?> ranges) {
        for (Object r : ranges) {
          List<?> range = (List<?>) r;
          if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
            List<?> master = (List<?>) range.get(2);
            RedisNode owner = nodeAt(String.valueOf(master.get(0)), ((Long) master.get(1)).intValue());
            if (owner != null) {
              return owner;
            }
          }
        }
      }
    }
    throw new IllegalStateException("no running node knows who serves slot " + slot);
  }

  /** The replica that replicates {@code primary}. */
  public RedisNode replicaOf(RedisNode primary) {
    for (RedisNode r : replicas()) {
      if (Integer.toString(primary.port()).equals(r.infoField("replication", "master_port"))) {
        return r;
      }
    }
    throw new IllegalStateException("no replica of " + primary);
  }

  /** kill -9 {@code primary} and wait until its replica has taken over and the cluster is ok again. */
  public RedisNode killPrimaryAndAwaitFailover(RedisNode primary, Duration timeout) {
    RedisNode rep = replicaOf(primary);
    primary.kill();
    RedisTopology.await(rep + " to take over from " + primary, timeout, () -> "master".equals(rep.role()));
    for (RedisNode n : nodes()) {
      if (n.isRunning()) {
        RedisTopology.await(n + " to report cluster_state:ok", timeout, () -> "ok".equals(clusterInfo(n, "cluster_state")));
      }
    }
    return rep;
  }

  static String clusterInfo(RedisNode n, String field) {
    Object reply = n.call("CLUSTER", "INFO");
    for (String line : String.valueOf(reply).split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return "ClusterRedis" + seedUris();
  }
}
