package io.github.resilientjcache.testkit;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A primary and a replica behind one virtual IP, as a load balancer or a VIP-style managed endpoint puts
 * them: clients connect to a {@link TcpProxy}, which forwards to the primary. A switch-over promotes the
 * replica and points the VIP at it; what happens to the connections already open is the failure mode
 * ({@link OldConnections}).
 */
public final class VipRedis extends Fixture {

  private static final String HOST = "127.0.0.1";

  /** What the VIP does with the connections open at a switch-over. */
  public enum OldConnections {
    /** They stay on the old node (which a demote then turns into a replica). */
    KEEP,
    /** They go silent: accepted bytes go nowhere, nothing comes back, nothing is reset. */
    BLACKHOLE,
    /** They are reset (TCP RST), as when the old node's process died. */
    RESET
  }

  private @Nullable TcpProxy vip;
  private @Nullable RedisNode primary;
  private @Nullable RedisNode replica;

  private VipRedis() {
    super("vip", null);
  }

  static VipRedis start() {
    VipRedis f = new VipRedis();
    return f.started(f, f::startUp);
  }

  private void startUp() {
    RedisNode a = node("node-a", RedisConf.server(HOST, Ports.freePort(HOST), dir.resolve("node-a"))).start();
    RedisNode b = node("node-b", RedisConf.server(HOST, Ports.freePort(HOST), dir.resolve("node-b"))
        .replicaOf(a.host(), a.port())).start();
    primary = a;
    replica = b;
    awaitReplicaInSync();
    vip = resource(TcpProxy.start(new InetSocketAddress(HOST, Ports.freePort(HOST)),
        new InetSocketAddress(a.host(), a.port())));
  }

  /** {@code redis://host:port} of the VIP. */
  public String uri() {
    return "redis://" + HOST + ":" + vip().port();
  }

  public TcpProxy vip() {
    TcpProxy v = vip;
    if (v == null) {
      throw new IllegalStateException("not started");
    }
    return v;
  }

  /** The node the VIP forwards new connections to. */
  public RedisNode primary() {
    return startedNode(primary);
  }

  /** The other node. */
  public RedisNode replica() {
    return startedNode(replica);
  }

  /** Waits until the replica has every write the primary took. */
  public void awaitReplicaInSync() {
    awaitInSync(replica(), primary());
  }

  /** kill -9 the primary (the VIP still points at it until {@link #switchOver}). */
  public void killPrimary() {
    primary().kill();
  }

  /**
   * Promotes the replica, points the VIP's new connections at it, and treats the open ones as
   * {@code old} says. Returns the new primary.
   */
  public RedisNode switchOver(OldConnections old) {
    RedisNode newPrimary = replica();
    newPrimary.promote();
    replica = primary;
    primary = newPrimary;
    vip().retarget(new InetSocketAddress(newPrimary.host(), newPrimary.port()));
    switch (old) {
      case BLACKHOLE -> vip().blackholeExisting();
      case RESET -> vip().resetAll();
      case KEEP -> { }
    }
    return newPrimary;
  }

  /** Makes the old primary a replica of the new one (it refuses writes with READONLY from now on). */
  public void demoteOldPrimary() {
    RedisNode old = replica();
    old.replicaOf(primary());
    if (!old.isRunning()) {
      old.start();
    }
  }

  @Override
  public String toString() {
    return "VipRedis[" + (vip == null ? "-" : uri()) + ", primary=" + primary + ", replica=" + replica + "]";
  }
}
