package io.github.resilientjcache.testkit;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A running Redis topology made of real processes. Close it to stop them all.
 *
 * <pre>{@code
 * try (var redis = RedisTopology.primaryWithReplica()) {
 *   config.useSingleServer().setAddress(redis.uri());
 *   config.setAddressResolverGroupFactory(redis.dns().addressResolverGroupFactory());
 *   ...
 *   redis.failover(); // kill -9 the primary, promote the replica, flip the name
 * }
 * }</pre>
 */
public interface RedisTopology extends AutoCloseable {

  /** One primary. */
  static StandaloneRedis standalone() {
    return StandaloneRedis.start(RedisOptions.defaults());
  }

  static StandaloneRedis standalone(RedisOptions options) {
    return StandaloneRedis.start(options);
  }

  /** A primary and a replica on the same port of two loopback addresses behind one DNS name. */
  static PrimaryEndpointRedis primaryWithReplica() {
    return PrimaryEndpointRedis.start(RedisOptions.defaults());
  }

  static PrimaryEndpointRedis primaryWithReplica(RedisOptions options) {
    return PrimaryEndpointRedis.start(options);
  }

  /** A primary and a replica behind one virtual IP (a TCP proxy) that a switch-over points at the replica. */
  static VipRedis primaryWithReplicaBehindVip() {
    return VipRedis.start();
  }

  /** A primary, a replica and three Sentinels with a 1 s {@code down-after-milliseconds}. */
  static SentinelRedis sentinel() {
    return SentinelRedis.start();
  }

  /** Three primaries and three replicas with a 1 s {@code cluster-node-timeout}. */
  static ClusterRedis cluster() {
    return ClusterRedis.start();
  }

  /** Every process of the topology, sentinels included. */
  List<RedisNode> nodes();

  /** Stops every process and removes the fixture's files; never throws. */
  @Override
  void close();

  /** Waits for a condition of the topology itself (not of the client under test). */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      RedisNode.parkMillis(50);
    }
    throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what
        + (last == null ? "" : " (last error: " + last.getMessage() + ")"), last);
  }
}
