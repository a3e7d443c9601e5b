package io.github.resilientjcache.core.internal;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;

/**
 * One verified client and its number. A call records which generation it ran on, so that a failure of a
 * replaced client is not blamed on its successor.
 *
 * @param address the node a single-server client is connected to, as resolved when it was built
 */
record Generation(long number, RedissonClient client, @Nullable InetSocketAddress address) {

  String describeAddress() {
    return address == null ? "(managed topology)" : address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return "generation " + number + " at " + describeAddress();
  }
}
