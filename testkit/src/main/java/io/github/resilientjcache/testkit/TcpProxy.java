package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of one node, for the network faults a process signal cannot make: a blackhole
 * (connections are accepted and never answered, as behind a dead VIP or a dropped security-group rule),
 * a reset of every connection, and added latency.
 */
public final class TcpProxy implements AutoCloseable {

  private static final AtomicInteger IDS = new AtomicInteger();

  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads;
  private volatile InetSocketAddress target;
  private volatile boolean blackholed;
  private volatile long latencyNanos;
  private volatile boolean closed;

  private TcpProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    int id = IDS.incrementAndGet();
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "tcp-proxy-" + id);
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::acceptLoop);
  }

  /** Listens on {@code listen} and forwards to {@code target}. */
  public static TcpProxy start(InetSocketAddress listen, InetSocketAddress target) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(listen, 128);
      return new TcpProxy(s, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + listen, e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  public String host() {
    return address().getAddress().getHostAddress();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** From now on, bytes go nowhere in either direction; new connections are accepted and then ignored. */
  public void blackhole() {
    blackholed = true;
  }

  /**
   * From now on, the connections open now go silent in both directions (a dead path behind a VIP, a
   * conntrack entry dropped); connections made later flow, to the current target.
   */
  public void blackholeExisting() {
    for (Link link : links) {
      link.silent = true;
    }
  }

  /** Ends a blackhole: connections that lost bytes are reset (their streams are broken); new ones flow. */
  public void pass() {
    blackholed = false;
    for (Link link : links) {
      if (link.lostBytes) {
        link.reset();
      }
    }
  }

  public boolean isBlackholed() {
    return blackholed;
  }

  /** Sends a TCP RST on every open connection, as a failing load balancer or a NAT timeout does. */
  public void resetAll() {
    for (Link link : links) {
      link.reset();
    }
  }

  /** Adds this delay to every chunk forwarded in either direction; zero removes it. */
  public void latency(Duration delay) {
    latencyNanos = delay.toNanos();
  }

  /** Forwards new connections to another node. */
  public void retarget(InetSocketAddress newTarget) {
    target = newTarget;
  }

  public int openConnections() {
    return links.size();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    resetAll();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      Link link = new Link(client);
      links.add(link);
      threads.execute(link::open);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** One client connection and, once connected, its upstream connection. */
  private final class Link {
    private final Socket client;
    private volatile Socket upstream;
    private volatile boolean lostBytes;
    private volatile boolean silent;

    Link(Socket client) {
      this.client = client;
    }

    void open() {
      try {
        client.setTcpNoDelay(true);
        // Connect upstream only while traffic flows: a blackholed connect must never reach the node.
        while (blackholed && !closed && !client.isClosed()) {
          if (client.getInputStream().available() > 0) {
            client.getInputStream().skipNBytes(client.getInputStream().available());
            lostBytes = true;
          }
          RedisNode.parkMillis(10);
        }
        if (lostBytes) {
          reset();
          return;
        }
        Socket up = new Socket();
        up.connect(target, 2_000);
        up.setTcpNoDelay(true);
        upstream = up;
        threads.execute(() -> pump(client, up));
        pump(up, client);
      } catch (IOException | RuntimeException e) {
        reset();
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (blackholed || silent) {
            lostBytes = true;
            continue;
          }
          long delay = latencyNanos;
          if (delay > 0) {
            RedisNode.parkMillis(TimeUnit.NANOSECONDS.toMillis(delay));
          }
          out.write(buf, 0, n);
          out.flush();
        }
        reset();
      } catch (SocketException e) {
        reset();
      } catch (IOException | RuntimeException e) {
        reset();
      }
    }

    void reset() {
      if (!links.remove(this)) {
        return;
      }
      abort(client);
      Socket up = upstream;
      if (up != null) {
        abort(up);
      }
    }

    private void abort(Socket s) {
      try {
        s.setSoLinger(true, 0);
      } catch (IOException e) {
        // already closed
      }
      closeQuietly(s);
    }
  }
}
