package io.github.resilientjcache.drill;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the primary fails, in two steps: the fault, and some time later the failover the managed service does
 * (the replica promoted and the DNS name flipped to it).
 */
enum Scenario {
  KILL("kill -9 the primary") {
    @Override
    void fault(PrimaryEndpointRedis redis) {
      redis.killPrimary();
    }
  },
  FREEZE("SIGSTOP the primary") {
    @Override
    void fault(PrimaryEndpointRedis redis) {
      redis.freezePrimary();
    }
  },
  DEMOTE("promote the replica, make the old primary its replica (READONLY)") {
    @Override
    void fault(PrimaryEndpointRedis redis) {
      redis.promoteReplica();
      redis.demoteOldPrimary();
    }

    @Override
    String flipDescription() {
      return "flip the DNS name to the new primary";
    }

    @Override
    void flip(PrimaryEndpointRedis redis) {
      redis.flipDns();
    }
  },
  BLACKHOLE("blackhole the primary's connections (open and silent)") {
    @Override
    void fault(PrimaryEndpointRedis redis) {
      redis.blackholePrimary();
    }

    @Override
    boolean proxied() {
      return true;
    }
  };

  private final String faultDescription;

  Scenario(String faultDescription) {
    this.faultDescription = faultDescription;
  }

  abstract void fault(PrimaryEndpointRedis redis);

  /** The managed service's failover: promote the replica and point the name at it. */
  void flip(PrimaryEndpointRedis redis) {
    redis.promoteReplica();
    redis.flipDns();
  }

  String faultDescription() {
    return faultDescription;
  }

  String flipDescription() {
    return "promote the replica, flip the DNS name to it";
  }

  /** Whether the nodes sit behind TCP proxies (to blackhole connections). */
  boolean proxied() {
    return false;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static List<Scenario> parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("all")) {
      return List.of(values());
    }
    for (Scenario s : values()) {
      if (s.label().equals(t)) {
        return List.of(s);
      }
    }
    throw new IllegalArgumentException("--scenario '" + text + "' is none of "
        + String.join(" | ", Arrays.stream(values()).map(Scenario::label).toList()) + " | all");
  }
}
