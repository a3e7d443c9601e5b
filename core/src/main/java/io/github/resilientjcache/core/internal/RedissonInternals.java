package io.github.resilientjcache.core.internal;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.connection.MasterSlaveEntry;

/**
 * The one place that reaches past Redisson's public API: which primary a key's slot is served by, as
 * Redisson's own routing sees it now (its cluster scan keeps it current). Public Redisson API offers only a
 * round trip ({@code CLUSTER KEYSLOT}) for this. Pinned by {@code ClusterShardFailoverTest}.
 */
final class RedissonInternals {

  private RedissonInternals() {}

  /** The primary serving {@code key}, or null when unknown (not a {@code Redisson}, slot not covered). */
  static @Nullable InetSocketAddress primaryFor(RedissonClient client, String key) {
    if (!(client instanceof Redisson redisson)) {
      return null;
    }
    try {
      MasterSlaveEntry entry = redisson.getCommandExecutor().getConnectionManager().getEntry(key);
      return entry == null || entry.getClient() == null ? null : entry.getClient().getAddr();
    } catch (RuntimeException e) {
      return null; // a client being shut down
    }
  }
}
