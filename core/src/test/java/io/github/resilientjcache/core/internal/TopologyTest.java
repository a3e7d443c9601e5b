package io.github.resilientjcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

class TopologyTest {

  private static Topology single(String address) {
    Config c = new Config();
    c.useSingleServer().setAddress(address);
    return Topology.of(c);
  }

  @Test
  void hostnameEndpoint_isWatched_evenWhenItStartsWithADigit() {
    assertThat(single("redis://primary.example.internal:6379").hostname()).isEqualTo("primary.example.internal");
    // Regression: any host starting with a digit used to count as an IP literal.
    assertThat(single("redis://1cache.example:6379").hostname()).isEqualTo("1cache.example");
  }

  @Test
  void ipLiteralEndpoint_hasNoNameToWatch() {
    assertThat(single("redis://10.0.0.1:6379").hostname()).isNull();
    assertThat(single("redis://[::1]:6379").hostname()).isNull();
  }

  @Test
  void endpoint_neverShowsCredentials() {
    Topology t = single("redis://user:s3cret@primary.example.internal:6380");
    assertThat(t.endpoint()).isEqualTo("redis://primary.example.internal:6380").doesNotContain("s3cret");
    assertThat(t.isSingle()).isTrue();
  }
}
