package io.github.resilientjcache.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

  @Test
  void defaults_noticeADeadPrimaryInAboutASecond() {
    ResilienceConfig c = ResilienceConfig.defaults();
    assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.probeFailuresToOpen()).isEqualTo(2);
    assertThat(c.dnsCheckInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void builder_rejectsABadValue_namingItAndTheValue() {
    assertThatThrownBy(() -> ResilienceConfig.builder().probeTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("probeTimeout must be positive but was PT0S");
    assertThatThrownBy(() -> ResilienceConfig.builder().retryMaxAttempts(0))
        .hasMessage("retryMaxAttempts must be at least 1 but was 0");
    assertThatThrownBy(() -> ResilienceConfig.builder().failureRateThreshold(101))
        .hasMessage("failureRateThreshold must be in (0, 100] but was 101.0");
    assertThatThrownBy(() -> ResilienceConfig.builder().probeInterval(Duration.ofNanos(500_000)))
        .hasMessage("probeInterval must be zero (off) or at least 1 ms but was PT0.0005S");
    assertThatThrownBy(() -> ResilienceConfig.builder().probeTimeout(Duration.ofNanos(1)))
        .hasMessage("probeTimeout must be at least 1 ms but was PT0.000000001S");
    assertThatThrownBy(() -> ResilienceConfig.builder().rebuildBackoffInitial(Duration.ofSeconds(20)).build())
        .hasMessageContaining("rebuildBackoffMax (PT10S) must not be less than rebuildBackoffInitial (PT20S)");
  }

  @Test
  void toBuilder_keepsEveryValue() {
    ResilienceConfig c = ResilienceConfig.builder().probeInterval(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(9))
        .build();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.toBuilder().build().toString()).contains("probeInterval=PT2S", "closeTimeout=PT9S");
  }
}
