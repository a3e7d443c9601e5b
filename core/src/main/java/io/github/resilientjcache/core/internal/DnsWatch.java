package io.github.resilientjcache.core.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.connection.AddressResolverGroupFactory;
import org.redisson.connection.SequentialDnsAddressResolverFactory;
import org.redisson.config.Config;

/**
 * Resolves the endpoint's name as a newly built client would: with a resolver of the kind Redisson builds
 * from the same config, and a fresh one each time, so no answer cached by an earlier check hides a flip. It
 * does not wait for Redisson's 5 s DNS monitor.
 *
 * <p>At most one lookup is pending, and it is abandoned (its resolver closed) after {@code timeout}: with
 * DNS unreachable, checks must not pile up. Redisson's default factory limits lookups with a semaphore that
 * every resolver it makes shares (2 permits): the watch gets a factory of its own, so its lookups never
 * take a permit a client's connect needs.
 */
final class DnsWatch {

  private final AddressResolverGroupFactory factory;
  private final EventLoopGroup loop;
  private final String hostname;
  private final int port;
  private final Duration timeout;
  private boolean pending; // supervisor thread only

  DnsWatch(Config config, EventLoopGroup loop, String hostname, int port, Duration timeout) {
    this.factory = ownFactory(config.getAddressResolverGroupFactory());
    this.loop = loop;
    this.hostname = hostname;
    this.port = port;
    this.timeout = timeout;
  }

  /**
   * A factory whose lookups share no permits with the given one: a new instance of Redisson's default,
   * which holds no other state; any other factory (the application's own) as it is.
   */
  static AddressResolverGroupFactory ownFactory(AddressResolverGroupFactory configured) {
    return configured.getClass() == SequentialDnsAddressResolverFactory.class
        ? new SequentialDnsAddressResolverFactory() : configured;
  }

  String hostname() {
    return hostname;
  }

  /** True while a lookup started by {@link #resolve()} has not completed. Supervisor thread only. */
  boolean isPending() {
    return pending;
  }

  /**
   * Every address the name resolves to now, as sorted text; fails after the timeout. Called on the
   * supervisor thread, which must not call it again until {@link #done()}.
   */
  CompletionStage<Set<String>> resolve() {
    pending = true;
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
        });
    loop.schedule(() -> {
      if (result.completeExceptionally(new TimeoutException("no DNS answer for " + hostname + " within "
          + timeout.toMillis() + " ms"))) {
        resolvers.close(); // fails the pending query and frees what it holds
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    result.whenComplete((ips, err) -> resolvers.close());
    return result;
  }

  /** The lookup's outcome was handled; the next check may start one. Supervisor thread only. */
  void done() {
    pending = false;
  }
}
