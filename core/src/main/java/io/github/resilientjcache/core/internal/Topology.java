package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.config.UriText;
import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.redisson.config.Config;

/**
 * What kind of deployment a Redisson config points at, and how to name it in messages. Single-server
 * endpoints are fully supervised (Redisson never checks their role); with Sentinel, Cluster, replicated or
 * master-slave configs Redisson follows the topology itself and the supervisor is only a backstop.
 */
record Topology(Kind kind, String endpoint, @Nullable String hostname, int port) {

  private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  enum Kind {
    SINGLE,
    /** Sentinel, replicated, master-slave: Redisson follows one primary. */
    MANAGED,
    /** Redis Cluster: Redisson follows many primaries, one per shard. */
    CLUSTER
  }

  boolean isSingle() {
    return kind == Kind.SINGLE;
  }

  boolean isCluster() {
    return kind == Kind.CLUSTER;
  }

  static Topology of(Config config) {
    Config copy = new Config(config);
    if (config.isSingleConfig()) {
      String address = copy.useSingleServer().getAddress();
      if (address == null) {
        throw new IllegalArgumentException("singleServerConfig.address is not set");
      }
      URI uri = parse(address);
      String host = uri.getHost();
      if (host == null) {
        throw new IllegalArgumentException("singleServerConfig.address has no host: " + sanitise(address));
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 6379;
      boolean literal = host.startsWith("[") || host.contains(":") || IPV4.matcher(host).matches();
      return new Topology(Kind.SINGLE, uri.getScheme() + "://" + host + ":" + port, literal ? null : host, port);
    }
    if (config.isSentinelConfig()) {
      var s = copy.useSentinelServers();
      return new Topology(Kind.MANAGED, "sentinel " + s.getMasterName() + " via " + join(s.getSentinelAddresses()), null, 0);
    }
    if (config.isClusterConfig()) {
      return new Topology(Kind.CLUSTER, "cluster via " + join(copy.useClusterServers().getNodeAddresses()), null, 0);
    }
    try {
      var r = copy.useReplicatedServers();
      return new Topology(Kind.MANAGED, "replicated " + join(r.getNodeAddresses()), null, 0);
    } catch (IllegalStateException e) {
      var m = copy.useMasterSlaveServers();
      return new Topology(Kind.MANAGED, "master " + sanitise(String.valueOf(m.getMasterAddress())), null, 0);
    }
  }

  /** An address without user info (which may hold a password). */
  static String sanitise(String address) {
    return UriText.withoutCredentials(address);
  }


  private static String join(List<String> addresses) {
    return addresses.stream().map(Topology::sanitise).collect(Collectors.joining(",", "[", "]"));
  }

  private static URI parse(String address) {
    try {
      return URI.create(address.contains("://") ? address : "redis://" + address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("singleServerConfig.address is not a valid address: " + sanitise(address), null);
    }
  }
}
