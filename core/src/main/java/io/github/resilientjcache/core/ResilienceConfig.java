package io.github.resilientjcache.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How the supervisor detects a failover and recovers from it. Immutable; built with {@link #builder()},
 * which rejects a bad value with a message that names it. The defaults suit a managed primary endpoint
 * (ElastiCache, MemoryDB, Azure): a dead or frozen primary is noticed in about a second.
 *
 * <p>The same settings are read from the {@code resilience:} section of the config file; the YAML keys are
 * the builder's method names.
 */
public final class ResilienceConfig {

  private static final ResilienceConfig DEFAULTS = builder().build();

  private final Duration probeInterval;
  private final Duration probeTimeout;
  private final int probeFailuresToOpen;
  private final Duration dnsCheckInterval;
  private final float failureRateThreshold;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final int retryMaxAttempts;
  private final Duration retryInitialInterval;
  private final Duration retryMaxInterval;
  private final Duration rebuildBackoffInitial;
  private final Duration rebuildBackoffMax;
  private final Duration verifyTimeout;
  private final Duration closeTimeout;
  private final Duration topologyGracePeriod;
  private final String probeKey;

  private ResilienceConfig(Builder b) {
    this.probeInterval = b.probeInterval;
    this.probeTimeout = b.probeTimeout;
    this.probeFailuresToOpen = b.probeFailuresToOpen;
    this.dnsCheckInterval = b.dnsCheckInterval;
    this.failureRateThreshold = b.failureRateThreshold;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumNumberOfCalls = b.minimumNumberOfCalls;
    this.retryMaxAttempts = b.retryMaxAttempts;
    this.retryInitialInterval = b.retryInitialInterval;
    this.retryMaxInterval = b.retryMaxInterval;
    this.rebuildBackoffInitial = b.rebuildBackoffInitial;
    this.rebuildBackoffMax = b.rebuildBackoffMax;
    this.verifyTimeout = b.verifyTimeout;
    this.closeTimeout = b.closeTimeout;
    this.topologyGracePeriod = b.topologyGracePeriod;
    this.probeKey = b.probeKey;
  }

  public static ResilienceConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** How often the active probe (PING, then the node's role) runs; zero turns the probe off. */
  public Duration probeInterval() {
    return probeInterval;
  }

  /** How long a probe waits for the node before it counts as failed. */
  public Duration probeTimeout() {
    return probeTimeout;
  }

  /** Consecutive failed probes that open the failure counter at once (single-server endpoints). */
  public int probeFailuresToOpen() {
    return probeFailuresToOpen;
  }

  /** How often the endpoint's name is resolved afresh to notice a move; zero turns it off. */
  public Duration dnsCheckInterval() {
    return dnsCheckInterval;
  }

  /** Percentage of failed calls in the sliding window that opens the failure counter. */
  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  /** Number of recent calls the failure counter looks at. */
  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  /** Calls needed in the window before the failure rate counts. */
  public int minimumNumberOfCalls() {
    return minimumNumberOfCalls;
  }

  /** Attempts per idempotent call, the first included; 1 turns per-call retry off. */
  public int retryMaxAttempts() {
    return retryMaxAttempts;
  }

  public Duration retryInitialInterval() {
    return retryInitialInterval;
  }

  /** The cap of one wait between attempts; all waits together stay below attempts x this. */
  public Duration retryMaxInterval() {
    return retryMaxInterval;
  }

  /** Wait before the second rebuild attempt; it doubles per failed attempt, with jitter. */
  public Duration rebuildBackoffInitial() {
    return rebuildBackoffInitial;
  }

  /** The cap of the wait between rebuild attempts. */
  public Duration rebuildBackoffMax() {
    return rebuildBackoffMax;
  }

  /** How long a new client gets to answer PING and report its role before it is rejected. */
  public Duration verifyTimeout() {
    return verifyTimeout;
  }

  /** How long closing a replaced client, or the supervisor, may take before it is abandoned. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * With Sentinel or Cluster, Redisson follows the topology itself; the supervisor only rebuilds if the
   * failure counter stays open this long (a stuck client), so it never fights a normal failover.
   */
  public Duration topologyGracePeriod() {
    return topologyGracePeriod;
  }

  /**
   * The key the probe sends {@code PEXPIRE} to (it never exists, so nothing is written). Give a Redis ACL
   * user write access to it: with key patterns such as {@code ~rjc:*}, the default {@code rjc:probe} fits.
   */
  public String probeKey() {
    return probeKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResilienceConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "ResilienceConfig{probeInterval=" + probeInterval + ", probeTimeout=" + probeTimeout
        + ", probeFailuresToOpen=" + probeFailuresToOpen + ", dnsCheckInterval=" + dnsCheckInterval
        + ", failureRateThreshold=" + failureRateThreshold + ", slidingWindowSize=" + slidingWindowSize
        + ", minimumNumberOfCalls=" + minimumNumberOfCalls + ", retryMaxAttempts=" + retryMaxAttempts
        + ", retryInitialInterval=" + retryInitialInterval + ", retryMaxInterval=" + retryMaxInterval
        + ", rebuildBackoffInitial=" + rebuildBackoffInitial + ", rebuildBackoffMax=" + rebuildBackoffMax
        + ", verifyTimeout=" + verifyTimeout + ", closeTimeout=" + closeTimeout
        + ", topologyGracePeriod=" + topologyGracePeriod + ", probeKey=" + probeKey + "}";
  }

  /** Validates each value as it is set, naming it and the bad value. */
  public static final class Builder {
    private Duration probeInterval = Duration.ofMillis(500);
    private Duration probeTimeout = Duration.ofMillis(500);
    private int probeFailuresToOpen = 2;
    private Duration dnsCheckInterval = Duration.ofSeconds(1);
    private float failureRateThreshold = 50;
    private int slidingWindowSize = 20;
    private int minimumNumberOfCalls = 5;
    private int retryMaxAttempts = 3;
    private Duration retryInitialInterval = Duration.ofMillis(50);
    private Duration retryMaxInterval = Duration.ofMillis(500);
    private Duration rebuildBackoffInitial = Duration.ofMillis(200);
    private Duration rebuildBackoffMax = Duration.ofSeconds(10);
    private Duration verifyTimeout = Duration.ofSeconds(2);
    private Duration closeTimeout = Duration.ofSeconds(3);
    private Duration topologyGracePeriod = Duration.ofSeconds(30);
    private String probeKey = "rjc:probe";

    private Builder() {}

    private Builder(ResilienceConfig c) {
      probeInterval = c.probeInterval;
      probeTimeout = c.probeTimeout;
      probeFailuresToOpen = c.probeFailuresToOpen;
      dnsCheckInterval = c.dnsCheckInterval;
      failureRateThreshold = c.failureRateThreshold;
      slidingWindowSize = c.slidingWindowSize;
      minimumNumberOfCalls = c.minimumNumberOfCalls;
      retryMaxAttempts = c.retryMaxAttempts;
      retryInitialInterval = c.retryInitialInterval;
      retryMaxInterval = c.retryMaxInterval;
      rebuildBackoffInitial = c.rebuildBackoffInitial;
      rebuildBackoffMax = c.rebuildBackoffMax;
      verifyTimeout = c.verifyTimeout;
      closeTimeout = c.closeTimeout;
      topologyGracePeriod = c.topologyGracePeriod;
      probeKey = c.probeKey;
    }

    public Builder probeInterval(Duration d) {
      probeInterval = nonNegative("probeInterval", d);
      return this;
    }

    public Builder probeTimeout(Duration d) {
      probeTimeout = positive("probeTimeout", d);
      return this;
    }

    public Builder probeFailuresToOpen(int n) {
      probeFailuresToOpen = atLeast("probeFailuresToOpen", n, 1);
      return this;
    }

    public Builder dnsCheckInterval(Duration d) {
      dnsCheckInterval = nonNegative("dnsCheckInterval", d);
      return this;
    }

    public Builder failureRateThreshold(float percent) {
      if (!(percent > 0 && percent <= 100)) {
        throw new IllegalArgumentException("failureRateThreshold must be in (0, 100] but was " + percent);
      }
      failureRateThreshold = percent;
      return this;
    }

    public Builder slidingWindowSize(int n) {
      slidingWindowSize = atLeast("slidingWindowSize", n, 1);
      return this;
    }

    public Builder minimumNumberOfCalls(int n) {
      minimumNumberOfCalls = atLeast("minimumNumberOfCalls", n, 1);
      return this;
    }

    public Builder retryMaxAttempts(int n) {
      retryMaxAttempts = atLeast("retryMaxAttempts", n, 1);
      return this;
    }

    public Builder retryInitialInterval(Duration d) {
      retryInitialInterval = positive("retryInitialInterval", d);
      return this;
    }

    public Builder retryMaxInterval(Duration d) {
      retryMaxInterval = positive("retryMaxInterval", d);
      return this;
    }

    public Builder rebuildBackoffInitial(Duration d) {
      rebuildBackoffInitial = positive("rebuildBackoffInitial", d);
      return this;
    }

    public Builder rebuildBackoffMax(Duration d) {
      rebuildBackoffMax = positive("rebuildBackoffMax", d);
      return this;
    }

    public Builder verifyTimeout(Duration d) {
      verifyTimeout = positive("verifyTimeout", d);
      return this;
    }

    public Builder closeTimeout(Duration d) {
      closeTimeout = positive("closeTimeout", d);
      return this;
    }

    public Builder topologyGracePeriod(Duration d) {
      topologyGracePeriod = nonNegative("topologyGracePeriod", d);
      return this;
    }

    public Builder probeKey(String key) {
      Objects.requireNonNull(key, "probeKey");
      if (key.isBlank()) {
        throw new IllegalArgumentException("probeKey must not be blank but was '" + key + "'");
      }
      probeKey = key;
      return this;
    }

    /** Checks the values against each other and builds. */
    public ResilienceConfig build() {
      if (retryMaxInterval.compareTo(retryInitialInterval) < 0) {
        throw new IllegalArgumentException("retryMaxInterval (" + retryMaxInterval
            + ") must not be less than retryInitialInterval (" + retryInitialInterval + ")");
      }
      if (rebuildBackoffMax.compareTo(rebuildBackoffInitial) < 0) {
        throw new IllegalArgumentException("rebuildBackoffMax (" + rebuildBackoffMax
            + ") must not be less than rebuildBackoffInitial (" + rebuildBackoffInitial + ")");
      }
      if (minimumNumberOfCalls > slidingWindowSize) {
        throw new IllegalArgumentException("minimumNumberOfCalls (" + minimumNumberOfCalls
            + ") must not exceed slidingWindowSize (" + slidingWindowSize + ")");
      }
      return new ResilienceConfig(this);
    }

    // Schedulers and timeouts work in whole milliseconds: a positive duration below 1 ms would become 0.
    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive but was " + d);
      }
      if (d.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be at least 1 ms but was " + d);
      }
      return d;
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative but was " + d);
      }
      if (!d.isZero() && d.toMillis() < 1) {
        throw new IllegalArgumentException(name + " must be zero (off) or at least 1 ms but was " + d);
      }
      return d;
    }

    private static int atLeast(String name, int n, int min) {
      if (n < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + " but was " + n);
      }
      return n;
    }
  }
}
