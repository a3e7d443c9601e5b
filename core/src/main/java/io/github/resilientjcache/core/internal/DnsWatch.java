package io.github.resilientjcache.core.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.redisson.connection.AddressResolverGroupFactory;
import org.redisson.config.Config;

/**
 * Resolves the endpoint's name as a newly built client would: with the resolver Redisson builds from the
 * same config, and a fresh one each time, so no answer cached by an earlier check hides a flip. It does
 * not wait for Redisson's 5 s DNS monitor. One resolver (one UDP socket) per check, once a second.
 */
final class DnsWatch {

  private final AddressResolverGroupFactory factory;
  private final EventLoopGroup loop;
  private final String hostname;
  private final int port;

  DnsWatch(Config config, EventLoopGroup loop, String hostname, int port) {
    this.factory = config.getAddressResolverGroupFactory();
    this.loop = loop;
    this.hostname = hostname;
    this.port = port;
  }

  String hostname() {
    return hostname;
  }

  /** Every address the name resolves to now, as sorted text. */
  CompletionStage<Set<String>> resolve() {
    CompletableFuture<Set<String>> result = new CompletableFuture<>();
    AddressResolverGroup<InetSocketAddress> resolvers;
    try {
      resolvers = factory.create(NioDatagramChannel.class, NioSocketChannel.class,
          DnsServerAddressStreamProviders.platformDefault());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    resolvers.getResolver(loop.next()).resolveAll(InetSocketAddress.createUnresolved(hostname, port))
        .addListener(f -> {
          try {
            if (f.isSuccess()) {
              Set<String> ips = new TreeSet<>();
              for (Object o : (List<?>) f.getNow()) {
                InetAddress ip = ((InetSocketAddress) o).getAddress();
                if (ip != null) {
                  ips.add(ip.getHostAddress());
                }
              }
              result.complete(ips);
            } else {
              result.completeExceptionally(f.cause());
            }
          } finally {
            resolvers.close();
          }
        });
    return result;
  }
}
