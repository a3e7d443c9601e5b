package io.github.resilientjcache.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delay_doublesFromTheInitialWaitUpToTheCap_withinTheUpperHalf() {
    Backoff lowest = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.0);
    Backoff highest = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.999999);
    long[] expectedCeilings = {200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000};
    for (int attempt = 1; attempt <= expectedCeilings.length; attempt++) {
      long d = expectedCeilings[attempt - 1];
      assertThat(lowest.delay(attempt).toMillis()).as("attempt %d, lowest", attempt).isEqualTo(d / 2);
      assertThat(highest.delay(attempt).toMillis()).as("attempt %d, highest", attempt).isBetween(d - 1, d);
    }
  }

  @Test
  void delay_forAFleetOfServers_isSpreadAcrossTheJitterWindow() {
    Random random = new Random(42);
    Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), random::nextDouble);
    List<Long> fleet = new ArrayList<>();
    for (int server = 0; server < 100; server++) {
      fleet.add(b.delay(5).toMillis()); // everyone on attempt 5: d = 3.2 s
    }
    assertThat(fleet).allSatisfy(ms -> assertThat(ms).isBetween(1600L, 3200L));
    long distinctSeconds = fleet.stream().map(ms -> ms / 100).distinct().count();
    assertThat(distinctSeconds).as("100 servers spread over the 1.6 s window in 100 ms buckets").isGreaterThan(12);
  }

  @Test
  void delay_neverOverflows_forAVeryLongOutage() {
    Backoff b = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), () -> 0.5);
    assertThat(b.delay(10_000)).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
  }
}
