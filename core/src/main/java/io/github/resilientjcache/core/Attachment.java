package io.github.resilientjcache.core;

/**
 * A {@link GenerationResource} registered with a supervisor: opened on the current generation and on
 * every new one until {@link #close()}.
 *
 * @param <R> what the resource opens to
 */
public interface Attachment<R> extends AutoCloseable {

  /** The name given to {@link RedisSupervisor#attach}, for logs and messages. */
  String name();

  /** Stops opening the resource on new generations and closes it on the current one. Idempotent. */
  @Override
  void close();
}
