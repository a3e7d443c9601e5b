package io.github.resilientjcache.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A primary and a replica behind one DNS name, like an ElastiCache or MemoryDB primary endpoint: both
 * listen on the same port of two loopback addresses (127.a.b.2 and 127.a.b.3), and a {@link LoopbackDns}
 * answers {@link #HOSTNAME} with the primary's address until a test flips it.
 *
 * <p>With {@link RedisOptions#proxied()}, the endpoint addresses belong to two {@link TcpProxy}s and the
 * nodes listen elsewhere, so a test can also blackhole, reset or slow down the connections.
 */
public final class PrimaryEndpointRedis extends Fixture {

  /** The name clients connect to. */
  public static final String HOSTNAME = "primary.redis.test";

  private final LoopbackDns dns;
  private final Map<RedisNode, String> endpointHost = new HashMap<>();
  private final Map<RedisNode, TcpProxy> proxies = new HashMap<>();
  private int port;
  private @Nullable RedisNode primary;
  private @Nullable RedisNode replica;

  private PrimaryEndpointRedis(RedisOptions options) {
    super("primary-endpoint", options.password());
    this.dns = resource(LoopbackDns.start());
  }

  static PrimaryEndpointRedis start(RedisOptions options) {
    PrimaryEndpointRedis f = new PrimaryEndpointRedis(options);
    return f.started(f, () -> f.startUp(options));
  }

  private void startUp(RedisOptions options) {
    String prefix = Ports.loopbackPrefix();
    String hostA = prefix + "2";
    String hostB = prefix + "3";
    port = Ports.freePort(hostA, hostB);
    RedisNode a;
    RedisNode b;
    if (options.isProxied()) {
      int portA = Ports.freePort("127.0.0.1");
      int portB = Ports.freePort("127.0.0.1");
      a = node("node-a", conf("127.0.0.1", portA, "node-a", options));
      b = node("node-b", conf("127.0.0.1", portB, "node-b", options));
      proxies.put(a, resource(TcpProxy.start(new InetSocketAddress(hostA, port), new InetSocketAddress("127.0.0.1", portA))));
      proxies.put(b, resource(TcpProxy.start(new InetSocketAddress(hostB, port), new InetSocketAddress("127.0.0.1", portB))));
    } else {
      a = node("node-a", conf(hostA, port, "node-a", options));
      b = node("node-b", conf(hostB, port, "node-b", options));
    }
    endpointHost.put(a, hostA);
    endpointHost.put(b, hostB);
    a.start();
    b.conf().replicaOf(a.host(), a.port());
    b.start();
    primary = a;
    replica = b;
    awaitReplicaInSync();
    dns.set(HOSTNAME, hostA);
  }

  private RedisConf conf(String host, int p, String name, RedisOptions options) {
    RedisConf c = RedisConf.server(host, p, dir.resolve(name));
    if (options.password() != null) {
      c.password(options.password());
    }
    if (options.user() != null) {
      c.user(options.user());
    }
    return c;
  }

  /** {@code redis://primary.redis.test:port}. */
  public String uri() {
    return "redis://" + HOSTNAME + ":" + port;
  }

  public String hostname() {
    return HOSTNAME;
  }

  public int port() {
    return port;
  }

  public LoopbackDns dns() {
    return dns;
  }

  /** The node the fixture made primary (the name may still point at the other one until {@link #flipDns}). */
  public RedisNode primary() {
    return startedNode(primary);
  }

  /** The other node: the replica, or the old primary after {@link #promoteReplica}. */
  public RedisNode replica() {
    return startedNode(replica);
  }

  /** The address the DNS name gives for {@code node}. */
  public String endpointHost(RedisNode node) {
    String h = endpointHost.get(node);
    if (h == null) {
      throw new IllegalArgumentException(node + " is not part of this fixture");
    }
    return h;
  }

  /** The proxy in front of {@code node}; only with {@link RedisOptions#proxied()}. */
  public TcpProxy proxy(RedisNode node) {
    TcpProxy p = proxies.get(node);
    if (p == null) {
      throw new IllegalStateException("this fixture has no proxies: start it with RedisOptions.proxied()");
    }
    return p;
  }

  /** Waits until the replica is connected to the primary and has every write the primary took. */
  public void awaitReplicaInSync() {
    awaitInSync(replica(), primary());
  }

  // ---- faults

  /** kill -9 the primary. */
  public void killPrimary() {
    primary().kill();
  }

  /** SIGSTOP the primary: it keeps its sockets and answers nothing. */
  public void freezePrimary() {
    primary().freeze();
  }

  /** SIGCONT every frozen node. */
  public void thaw() {
    for (RedisNode n : nodes()) {
      if (n.isFrozen()) {
        n.thaw();
      }
    }
  }

  /** {@code REPLICAOF NO ONE} on the replica; it becomes {@link #primary()}. The name is not flipped. */
  public RedisNode promoteReplica() {
    RedisNode newPrimary = replica();
    newPrimary.promote();
    replica = primary;
    primary = newPrimary;
    return newPrimary;
  }

  /**
   * Brings the old primary back as a replica of the new one: restarted if it was killed, {@code REPLICAOF}
   * if it still runs. Connections still open to it now get {@code READONLY} on writes.
   */
  public void demoteOldPrimary() {
    RedisNode old = replica();
    if (old.isFrozen()) {
      old.thaw();
    }
    old.replicaOf(primary());
    if (!old.isRunning()) {
      old.start();
    }
    awaitReplicaInSync();
  }

  /** Points the name at the current primary, as the managed service does after a failover. */
  public void flipDns() {
    dns.set(HOSTNAME, endpointHost(primary()));
  }

  /** The usual managed failover: kill -9 the primary, promote the replica, flip the name. */
  public void failover() {
    killPrimary();
    promoteReplica();
    flipDns();
  }

  /** Accept-and-ignore every connection to the primary's endpoint (half-open connections). */
  public void blackholePrimary() {
    proxy(primary()).blackhole();
  }

  /** TCP RST on every connection to either node. */
  public void resetConnections() {
    for (TcpProxy p : proxies.values()) {
      p.resetAll();
    }
  }

  /** Adds {@code delay} to every chunk through either proxy. */
  public void latency(Duration delay) {
    for (TcpProxy p : proxies.values()) {
      p.latency(delay);
    }
  }

  /** kill -9 {@code node} and start it again with no data, in the same role. */
  public void restartEmpty(RedisNode node) {
    node.restartEmpty();
  }

  @Override
  public String toString() {
    return "PrimaryEndpointRedis[" + uri() + ", primary=" + primary + ", replica=" + replica + "]";
  }
}
