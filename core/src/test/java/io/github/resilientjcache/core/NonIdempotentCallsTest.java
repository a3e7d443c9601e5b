package io.github.resilientjcache.core;

import io.github.resilientjcache.testkit.RedisConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.resilientjcache.testkit.RedisOptions;
import io.github.resilientjcache.testkit.RedisTopology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redisson.api.RScript;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;

/**
 * Review finding 2: Redisson resends EVAL, EVALSHA and GETSET after a response timeout unless
 * {@code retryAttempts} is 0, and docs/failover.md recommends 1. A conditional script run twice returns the
 * wrong answer. Commands built with {@link RedisSession#options} are sent once, whatever the file says.
 */
class NonIdempotentCallsTest {

  private static final String INCR = "return redis.call('INCR', KEYS[1])";
  private static final ResilienceConfig QUIET = ResilienceConfig.builder().probeInterval(Duration.ZERO)
      .dnsCheckInterval(Duration.ZERO).slidingWindowSize(100).minimumNumberOfCalls(100).build();

  /** What the hazard looks like: the very same script through a plain Redisson object runs twice. */
  @Test
  void script_throughAPlainRedissonObject_runsTwiceAfterAResponseTimeout() {
    assertThat(incrementsAfterASlowResponse(false)).isEqualTo("2");
  }

  @Test
  void script_throughSessionOptions_runsOnceAfterAResponseTimeout() {
    assertThat(incrementsAfterASlowResponse(true)).isEqualTo("1");
  }

  /**
   * One INCR script sent while every byte to Redis takes 1.5 s, with a 1 s timeout and Redisson's
   * {@code retryAttempts: 1}; returns how often it ran, once nothing is in flight any more.
   */
  private static String incrementsAfterASlowResponse(boolean sessionOptions) {
    try (var redis = RedisTopology.standalone(RedisOptions.defaults().proxied())) {
      Config config = RedisConfigs.standalone(redis); // through the proxy
      config.useSingleServer().setTimeout(1_000).setRetryAttempts(1).setRetryDelay(new ConstantDelay(Duration.ofMillis(100)));
      try (var s = RedisSupervisor.builder(config).resilience(QUIET).name("incr").build()) {
        RedisOperation<Long> incr = session -> {
          RScript script = sessionOptions
              ? session.client().getScript(session.options(OptionalOptions.defaults().codec(StringCodec.INSTANCE)))
              : session.client().getScript(StringCodec.INSTANCE);
          return script.evalAsync(RScript.Mode.READ_WRITE, INCR, RScript.ReturnType.LONG, List.of("counter"));
        };
        assertThat(s.execute(Idempotence.NON_IDEMPOTENT, incr)).isEqualTo(1L); // loads the script, as in use
        redis.proxy().latency(Duration.ofMillis(1_500));
        assertThatThrownBy(() -> s.execute(Idempotence.NON_IDEMPOTENT, incr)).isInstanceOf(RedisUnavailableException.class);
        // The first copy lands at 1.5 s; a resend would go out at 1.1 s and land at 2.6 s. Absence can
        // only be seen over a window: it ends well after the last copy could have landed.
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
            .until(() -> !"1".equals(redis.node().call("GET", "counter")));
        return String.valueOf(Long.parseLong(String.valueOf(redis.node().call("GET", "counter"))) - 1);
      }
    }
  }
}
