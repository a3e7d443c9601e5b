package io.github.resilientjcache.testkit;

import java.time.Duration;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * Redisson configs pointed at the fixtures, tuned as docs/failover.md recommends for a cache (1 s timeout,
 * one Redisson retry 100 ms later, small pools): what every module's tests connect with.
 */
public final class RedisConfigs {

  private RedisConfigs() {}

  public static Config standalone(StandaloneRedis redis) {
    return singleServer(redis.uri());
  }

  /** One node of a topology, addressed directly. */
  public static Config node(RedisNode node) {
    return singleServer(node.uri());
  }

  /** A single-server endpoint at {@code uri} (a VIP, a proxy). */
  public static Config endpoint(String uri) {
    return singleServer(uri);
  }

  public static Config primaryEndpoint(PrimaryEndpointRedis redis) {
    Config c = singleServer(redis.uri());
    c.setAddressResolverGroupFactory(redis.dns().addressResolverGroupFactory());
    return c;
  }

  private static Config singleServer(String uri) {
    Config c = base();
    tune(c.useSingleServer().setAddress(uri).setConnectionMinimumIdleSize(2).setConnectionPoolSize(8)
        .setSubscriptionConnectionMinimumIdleSize(1));
    return c;
  }

  public static Config sentinel(SentinelRedis redis) {
    Config c = base();
    var s = c.useSentinelServers().setMasterName(redis.masterName()).setCheckSentinelsList(false)
        .setMasterConnectionMinimumIdleSize(2).setSlaveConnectionMinimumIdleSize(1);
    redis.sentinelUris().forEach(s::addSentinelAddress);
    tune(s);
    return c;
  }

  public static Config cluster(ClusterRedis redis) {
    Config c = base();
    var s = c.useClusterServers().setScanInterval(1000)
        .setMasterConnectionMinimumIdleSize(2).setSlaveConnectionMinimumIdleSize(1);
    redis.seedUris().forEach(s::addNodeAddress);
    tune(s);
    return c;
  }

  private static Config base() {
    Config c = new Config();
    c.setCodec(StringCodec.INSTANCE);
    c.setNettyThreads(4);
    c.setThreads(4);
    return c;
  }

  private static void tune(BaseConfig<?> s) {
    s.setTimeout(1000).setConnectTimeout(1000).setRetryAttempts(1)
        .setRetryDelay(new ConstantDelay(Duration.ofMillis(100)));
  }
}
