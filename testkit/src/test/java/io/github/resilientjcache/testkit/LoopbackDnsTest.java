package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopbackDnsTest {

  @Test
  void resolve_afterFlip_returnsTheOtherAddress() {
    try (var dns = LoopbackDns.start()) {
      dns.set("primary.redis.test", "127.0.0.2");
      assertThat(dns.resolve("primary.redis.test").getHostAddress()).isEqualTo("127.0.0.2");
      dns.set("primary.redis.test", "127.0.0.3");
      assertThat(dns.resolve("primary.redis.test").getHostAddress()).isEqualTo("127.0.0.3");
    }
  }

  @Test
  void resolve_unknownName_fails() {
    try (var dns = LoopbackDns.start()) {
      assertThatThrownBy(() -> dns.resolve("nowhere.redis.test")).hasMessageContaining("nowhere.redis.test");
    }
  }

  @Test
  void redissonResolverGroup_cachesForTheTtl_thenSeesTheFlip() throws Exception {
    try (var dns = LoopbackDns.start(Duration.ofSeconds(2))) {
      dns.set("primary.redis.test", "127.0.0.2");
      var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      var resolvers = dns.addressResolverGroupFactory()
          .create(NioDatagramChannel.class, NioSocketChannel.class, DnsServerAddressStreamProviders.platformDefault());
      try {
        var resolver = resolvers.getResolver(group.next());
        var unresolved = InetSocketAddress.createUnresolved("primary.redis.test", 6379);
        assertThat(resolver.resolve(unresolved).get(5, TimeUnit.SECONDS).getAddress().getHostAddress())
            .isEqualTo("127.0.0.2");
        dns.set("primary.redis.test", "127.0.0.3");
        long queriesBefore = dns.queries();
        assertThat(resolver.resolve(unresolved).get(5, TimeUnit.SECONDS).getAddress().getHostAddress())
            .as("answered from Netty's cache within the TTL").isEqualTo("127.0.0.2");
        assertThat(dns.queries()).isEqualTo(queriesBefore);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(6)).untilAsserted(() ->
            assertThat(resolver.resolve(unresolved).get(5, TimeUnit.SECONDS).getAddress().getHostAddress())
                .isEqualTo("127.0.0.3"));
      } finally {
        resolvers.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }
}
