package io.github.resilientjcache.core.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.config.Config;

/**
 * Resolves the endpoint's name with the same resolver Redisson would build from the config, so it sees
 * what a new client would connect to; it does not wait for Redisson's 5 s DNS monitor.
 */
final class DnsWatch implements AutoCloseable {

  private final AddressResolverGroup<InetSocketAddress> resolvers;
  private final AddressResolver<InetSocketAddress> resolver;
  private final String hostname;
  private final int port;

  DnsWatch(Config config, EventLoopGroup loop, String hostname, int port) {
    this.resolvers = config.getAddressResolverGroupFactory()
        .create(NioDatagramChannel.class, NioSocketChannel.class, DnsServerAddressStreamProviders.platformDefault());
    this.resolver = resolvers.getResolver(loop.next());
    this.hostname = hostname;
    this.port = port;
  }

  String hostname() {
    return hostname;
  }

  /** Every address the name resolves to now, as sorted text. */
  CompletionStage<Set<String>> resolve() {
    CompletableFuture<Set<String>> result = new CompletableFuture<>();
    resolver.resolveAll(InetSocketAddress.createUnresolved(hostname, port)).addListener(f -> {
      if (f.isSuccess()) {
        Set<String> ips = new TreeSet<>();
        @SuppressWarnings("unchecked")
        java.util.List<InetSocketAddress> all = (java.util.List<InetSocketAddress>) f.getNow();
        for (InetSocketAddress a : all) {
          InetAddress ip = a.getAddress();
          if (ip != null) {
            ips.add(ip.getHostAddress());
          }
        }
        result.complete(ips);
      } else {
        result.completeExceptionally(f.cause());
      }
    });
    return result;
  }

  @Override
  public void close() {
    resolvers.close();
  }
}
