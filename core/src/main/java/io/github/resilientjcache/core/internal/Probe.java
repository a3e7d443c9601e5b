package io.github.resilientjcache.core.internal;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.StringCodec;

/**
 * One round trip that proves the node answers and says what it is. {@code INFO replication} runs inside
 * a script because a script goes through the client's own pooled connections (what the application
 * uses), with a per-call timeout and no Redisson retries; {@code ROLE} is not allowed in scripts, INFO is.
 */
final class Probe {

  private static final String SCRIPT = "return redis.call('INFO', 'replication')";

  private Probe() {}

  /** Completes with the node's role ({@code master}, {@code slave}), or fails as the call failed. */
  static CompletionStage<String> role(RedissonClient client, Duration timeout) {
    RScript script = client.getScript(OptionalOptions.defaults()
        .codec(StringCodec.INSTANCE)
        .timeout(timeout)
        .retryAttempts(0));
    CompletionStage<Object> reply = script.evalAsync(RScript.Mode.READ_WRITE, SCRIPT, RScript.ReturnType.VALUE);
    return reply.thenApply(info -> parseRole(String.valueOf(info)));
  }

  static String parseRole(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("role:")) {
        return line.substring(5).trim();
      }
    }
    return "unknown";
  }
}
