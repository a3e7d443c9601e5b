package io.github.resilientjcache.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** One Redis primary on loopback, optionally with a password and a fault-injecting proxy in front. */
public final class StandaloneRedis extends Fixture {

  private static final String HOST = "127.0.0.1";

  private @Nullable RedisNode node;
  private @Nullable TcpProxy proxy;

  private StandaloneRedis(RedisOptions options) {
    super("standalone", options.password());
  }

  static StandaloneRedis start(RedisOptions options) {
    StandaloneRedis f = new StandaloneRedis(options);
    return f.started(f, () -> {
      int port = Ports.freePort(HOST);
      RedisConf conf = RedisConf.server(HOST, port, f.dir.resolve("redis"));
      if (options.password() != null) {
        conf.password(options.password());
      }
      if (options.user() != null) {
        conf.user(options.user());
      }
      f.node = f.node("redis", conf).start();
      if (options.isProxied()) {
        f.proxy = f.resource(TcpProxy.start(new InetSocketAddress(HOST, Ports.freePort(HOST)),
            new InetSocketAddress(HOST, port)));
      }
    });
  }

  public RedisNode node() {
    RedisNode n = node;
    if (n == null) {
      throw new IllegalStateException("not started");
    }
    return n;
  }

  /** Where clients connect: the proxy when there is one, else the node. */
  public String host() {
    TcpProxy p = proxy;
    return p != null ? p.host() : node().host();
  }

  public int port() {
    TcpProxy p = proxy;
    return p != null ? p.port() : node().port();
  }

  /** {@code redis://host:port} of where clients connect. */
  public String uri() {
    return "redis://" + host() + ":" + port();
  }

  /** The proxy in front of the node; only with {@link RedisOptions#proxied()}. */
  public TcpProxy proxy() {
    TcpProxy p = proxy;
    if (p == null) {
      throw new IllegalStateException("this fixture has no proxy: start it with RedisOptions.proxied()");
    }
    return p;
  }

  // ---- faults, as methods on the fixture

  public void kill() {
    node().kill();
  }

  public void freeze() {
    node().freeze();
  }

  public void thaw() {
    node().thaw();
  }

  public void restartEmpty() {
    node().restartEmpty();
  }

  public void blackhole() {
    proxy().blackhole();
  }

  public void unblackhole() {
    proxy().pass();
  }

  public void resetConnections() {
    proxy().resetAll();
  }

  public void latency(Duration delay) {
    proxy().latency(delay);
  }

  @Override
  public String toString() {
    return "StandaloneRedis[" + uri() + "]";
  }
}
