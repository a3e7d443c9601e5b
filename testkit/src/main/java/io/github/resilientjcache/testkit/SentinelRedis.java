package io.github.resilientjcache.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A primary, a replica and three Sentinels (quorum 2) on loopback, with a 1 s
 * {@code down-after-milliseconds}, so a killed primary is replaced in a few seconds.
 */
public final class SentinelRedis extends Fixture {

  public static final String MASTER_NAME = "mymaster";
  static final long DOWN_AFTER_MILLIS = 1_000;
  static final long FAILOVER_TIMEOUT_MILLIS = 5_000;
  private static final String HOST = "127.0.0.1";

  private final List<RedisNode> data = new ArrayList<>();
  private final List<RedisNode> sentinels = new ArrayList<>();

  private SentinelRedis() {
    super("sentinel", null);
  }

  static SentinelRedis start() {
    SentinelRedis f = new SentinelRedis();
    return f.started(f, f::startUp);
  }

  private void startUp() {
    RedisNode primary = node("primary", RedisConf.server(HOST, Ports.freePort(HOST), dir.resolve("primary"))).start();
    RedisNode replica = node("replica", RedisConf.server(HOST, Ports.freePort(HOST), dir.resolve("replica"))
        .replicaOf(primary.host(), primary.port())).start();
    data.add(primary);
    data.add(replica);
    for (int i = 1; i <= 3; i++) {
      String name = "sentinel-" + i;
      sentinels.add(node(name, RedisConf.sentinel(HOST, Ports.freePort(HOST), dir.resolve(name), MASTER_NAME,
          primary.host(), primary.port(), 2, DOWN_AFTER_MILLIS, FAILOVER_TIMEOUT_MILLIS)).start());
    }
    // Failover needs every Sentinel to know the replica and the other two Sentinels.
    for (RedisNode s : sentinels) {
      RedisTopology.await(s + " to see 1 replica and 2 other sentinels", Duration.ofSeconds(30), () -> {
        Map<String, String> m = masterState(s);
        return "1".equals(m.get("num-slaves")) && "2".equals(m.get("num-other-sentinels"));
      });
    }
    RedisTopology.await("the replica in sync", Duration.ofSeconds(20),
        () -> "up".equals(replica.infoField("replication", "master_link_status")));
  }

  public String masterName() {
    return MASTER_NAME;
  }

  /** {@code redis://host:port} of each Sentinel, as Redisson's {@code sentinelAddresses} takes them. */
  public List<String> sentinelUris() {
    return sentinels.stream().map(RedisNode::uri).toList();
  }

  public List<RedisNode> sentinels() {
    return List.copyOf(sentinels);
  }

  /** The primary and the replica, in the order they were started. */
  public List<RedisNode> dataNodes() {
    return List.copyOf(data);
  }

  /** The node the first reachable Sentinel names as primary. */
  public RedisNode primary() {
    for (RedisNode s : sentinels) {
      if (!s.isRunning()) {
        continue;
      }
      try {
        Object reply = s.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        if (reply instanceof List<?> addr && addr.size() == 2) {
          RedisNode n = nodeAt(String.valueOf(addr.get(0)), Integer.parseInt(String.valueOf(addr.get(1))));
          if (n != null) {
            return n;
          }
        }
      } catch (RuntimeException e) {
        // ask the next one
      }
    }
    throw new IllegalStateException("no Sentinel names a primary of this fixture");
  }

  /** The data node that is not {@link #primary()}. */
  public RedisNode replica() {
    RedisNode p = primary();
    return data.stream().filter(n -> n != p).findFirst().orElseThrow();
  }

  // ---- faults

  /** kill -9 the primary; returns the killed node. */
  public RedisNode killPrimary() {
    RedisNode p = primary();
    p.kill();
    return p;
  }

  /** SIGSTOP the primary; returns the frozen node. */
  public RedisNode freezePrimary() {
    RedisNode p = primary();
    p.freeze();
    return p;
  }

  /**
   * Waits until the Sentinels name a running node other than {@code old} as primary, it says so, and
   * every running Sentinel agrees with no failover in progress: only then is the topology settled enough
   * to restart a node (a Sentinel still on the old epoch can otherwise fail over a second time and promote
   * the restarted old primary back).
   */
  public RedisNode awaitFailoverFrom(RedisNode old, Duration timeout) {
    RedisTopology.await("Sentinel to fail over from " + old, timeout, () -> {
      RedisNode p = primary();
      return p != old && p.isRunning() && "master".equals(p.role());
    });
    return awaitSettled(timeout);
  }

  /**
   * Waits until every running Sentinel names the same primary, at the same config epoch, flags it a plain
   * {@code master} (not down, no failover in progress), and that node answers as a master. Returns it.
   */
  public RedisNode awaitSettled(Duration timeout) {
    RedisTopology.await("the Sentinels to agree on one primary with no failover in progress", timeout, () -> {
      Set<String> views = new HashSet<>();
      for (RedisNode s : sentinels) {
        if (!s.isRunning()) {
          continue;
        }
        Map<String, String> m = masterState(s);
        if (!"master".equals(m.get("flags"))) {
          return false;
        }
        views.add(m.get("ip") + ":" + m.get("port") + "@" + m.get("config-epoch"));
      }
      if (views.size() != 1) {
        return false;
      }
      RedisNode p = primary();
      return p.isRunning() && "master".equals(p.role());
    });
    return primary();
  }

  /** {@code SENTINEL FAILOVER}: a graceful switch, the old primary stays up as a replica. */
  public void manualFailover() {
    sentinels.get(0).call("SENTINEL", "FAILOVER", MASTER_NAME);
  }

  /**
   * Brings a killed node back once the Sentinels agree on the current primary; they then reconfigure it
   * as a replica of that primary.
   */
  public void restart(RedisNode node) {
    if (!node.isRunning()) {
      awaitSettled(Duration.ofSeconds(30));
      node.start();
    }
  }

  private static Map<String, String> masterState(RedisNode sentinel) {
    Object reply = sentinel.call("SENTINEL", "master", MASTER_NAME);
    Map<String, String> m = new HashMap<>();
    if (reply instanceof List<?> kv) {
      for (int i = 0; i + 1 < kv.size(); i += 2) {
        m.put(String.valueOf(kv.get(i)), String.valueOf(kv.get(i + 1)));
      }
    }
    return m;
  }

  @Override
  public String toString() {
    return "SentinelRedis[" + MASTER_NAME + ", sentinels=" + sentinelUris() + "]";
  }
}
