package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports and spare loopback addresses, so fixtures never collide with each other or with CI. */
final class Ports {

  private Ports() {}

  /** A port that is free on every given host, in a range below the cluster bus offset. */
  static int freePort(String... hosts) {
    return freePort(0, hosts);
  }

  /** A port {@code p} such that {@code p} and {@code p + busOffset} are free on every host. */
  static int freePort(int busOffset, String... hosts) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 500; attempt++) {
      int p = 20_000 + random.nextInt(25_000);
      boolean free = true;
      for (String h : hosts) {
        free &= isFree(h, p) && (busOffset == 0 || isFree(h, p + busOffset));
      }
      if (free) {
        return p;
      }
    }
    throw new IllegalStateException("no free port found on " + String.join(", ", hosts));
  }

  /** A random 127.a.b.0 prefix whose .2 and .3 addresses exist on every Linux loopback. */
  static String loopbackPrefix() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "127." + (1 + random.nextInt(250)) + "." + random.nextInt(256) + ".";
  }

  static boolean isFree(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + host, e);
    } catch (IOException e) {
      return false;
    }
  }
}
