package io.github.resilientjcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.testkit.LoopbackDns;
import org.junit.jupiter.api.Test;
import org.redisson.connection.AddressResolverGroupFactory;
import org.redisson.connection.SequentialDnsAddressResolverFactory;

/**
 * Review finding 8: Redisson's default resolver factory shares two permits between every resolver it
 * makes, so lookups stuck on an unreachable DNS server (the watch's, or an old client's) held back a new
 * client's. The watch and each build get a factory of their own.
 */
class DnsWatchTest {

  @Test
  void redissonsDefaultFactory_isReplacedByOneWithPermitsOfItsOwn() {
    SequentialDnsAddressResolverFactory shared = new SequentialDnsAddressResolverFactory();
    AddressResolverGroupFactory own = DnsWatch.ownFactory(shared);
    assertThat(own).isNotSameAs(shared).isExactlyInstanceOf(SequentialDnsAddressResolverFactory.class);
    assertThat(DnsWatch.ownFactory(shared)).as("a new one each time").isNotSameAs(own);
  }

  @Test
  void anApplicationsOwnFactory_isUsedAsItIs() {
    try (LoopbackDns dns = LoopbackDns.start()) {
      AddressResolverGroupFactory custom = dns.addressResolverGroupFactory();
      assertThat(DnsWatch.ownFactory(custom)).isSameAs(custom);
    }
  }
}
