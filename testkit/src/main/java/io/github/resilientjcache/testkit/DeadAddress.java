package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * An address where TCP connects never complete, like the IP of a terminated instance that a DNS name
 * still gives: a listener that never accepts, its accept queue filled, so the kernel drops every further
 * SYN and a client's connect waits out its own timeout.
 */
public final class DeadAddress implements AutoCloseable {

  private final ServerSocket listener;
  private final List<Socket> fillers = new ArrayList<>();

  private DeadAddress(InetSocketAddress address) throws IOException {
    listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(address, 1);
    // Linux queues backlog + 1 completed connections; fill the queue so the next SYN is dropped.
    for (int i = 0; i < 4; i++) {
      Socket s = new Socket();
      try {
        s.connect(address, 200);
        fillers.add(s);
      } catch (IOException e) {
        s.close();
        break; // full: this connect was the first one dropped
      }
    }
  }

  /** Binds {@code address} (a loopback address and port) and fills its queue. */
  public static DeadAddress at(InetSocketAddress address) {
    try {
      return new DeadAddress(address);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind " + address, e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  @Override
  public void close() {
    for (Socket s : fillers) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
