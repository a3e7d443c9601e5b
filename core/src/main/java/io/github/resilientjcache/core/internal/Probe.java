package io.github.resilientjcache.core.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.api.redisnode.RedisClusterMaster;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.codec.StringCodec;

/**
 * One round trip that proves the node answers and takes writes: {@code PEXPIRE} of a key that does not
 * exist, inside a script. On a primary it returns 0 and writes nothing (nothing is replicated or
 * logged); on a replica Redis refuses it with {@code READONLY} before running it. It needs only what the
 * cache needs anyway ({@code @scripting}, and {@code @keyspace}/{@code @write} on the probe key), unlike
 * {@code INFO} or {@code ROLE}, which ACL puts in {@code @dangerous}. A script goes through the client's
 * pooled connections (what the application uses) with a per-call timeout and no Redisson retries.
 */
final class Probe {

  private static final String SCRIPT = "return redis.call('PEXPIRE', KEYS[1], 1)";

  private Probe() {}

  /**
   * Completes when the node behind {@code client} took the probe write; fails as the call failed
   * (READONLY from a replica).
   */
  static CompletionStage<Void> writable(RedissonClient client, String key, Duration timeout) {
    RScript script = client.getScript(OptionalOptions.defaults()
        .codec(StringCodec.INSTANCE)
        .timeout(timeout)
        .retryAttempts(0));
    CompletionStage<Object> reply = script.evalAsync(RScript.Mode.READ_WRITE, SCRIPT, RScript.ReturnType.LONG,
        List.of(key));
    return reply.thenApply(r -> null);
  }

  /** One primary's answer to a ping: {@code failure} is null when it answered. */
  record Ping(InetSocketAddress address, @Nullable Throwable failure) {}

  /** Pings every primary a Cluster client knows, each on its own pooled connection. */
  static CompletionStage<List<Ping>> clusterPrimaries(RedissonClient client, Duration timeout) {
    List<CompletableFuture<Ping>> pings = new ArrayList<>();
    for (RedisClusterMaster m : client.getRedisNodes(RedisNodes.CLUSTER).getMasters()) {
      InetSocketAddress address = m.getAddr();
      pings.add(m.pingAsync(timeout.toMillis(), TimeUnit.MILLISECONDS).toCompletableFuture()
          .handle((ok, err) -> new Ping(address, err != null ? FailureClassifier.unwrap(err)
              : Boolean.TRUE.equals(ok) ? null : new RedisConnectionException("PING to " + address + " failed"))));
    }
    return CompletableFuture.allOf(pings.toArray(CompletableFuture<?>[]::new))
        .thenApply(v -> pings.stream().map(CompletableFuture::join).toList());
  }
}
