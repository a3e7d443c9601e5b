package io.github.resilientjcache.core;

import java.util.concurrent.CompletionStage;
import org.redisson.api.RedissonClient;

/**
 * Something that lives on one client and must exist on every generation before it takes traffic: a
 * pub/sub subscription, a listener. The supervisor opens it on each new client after verifying it and
 * before swapping it in (a client that cannot open it is not swapped in), and closes it with the
 * generation. Register it with {@link RedisSupervisor#attach}.
 *
 * @param <R> what opening returns, such as a listener id; handed back by {@link RedisSession#resource}
 */
public interface GenerationResource<R> {

  /** Opens the resource on {@code client} (never blocks); the stage fails if it cannot be opened. */
  CompletionStage<R> open(RedissonClient client);

  /** Releases what {@link #open} made, when its generation is replaced or the attachment closed. */
  default void close(RedissonClient client, R resource) {}
}
