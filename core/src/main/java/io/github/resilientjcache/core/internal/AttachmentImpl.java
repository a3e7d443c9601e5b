package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.Attachment;
import io.github.resilientjcache.core.GenerationResource;
import io.github.resilientjcache.core.RedisSupervisor;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link GenerationResource} registered with a supervisor, and what it takes to open and close it. */
final class AttachmentImpl<R> implements Attachment<R> {

  private static final Logger log = LoggerFactory.getLogger(RedisSupervisor.class);

  final String name;
  private final GenerationResource<R> resource;
  private final String endpoint;
  private final Consumer<AttachmentImpl<?>> onClose;
  /** One opening at a time on the current generation: set by whoever starts one. */
  final AtomicBoolean opening = new AtomicBoolean();
  volatile boolean closed;

  AttachmentImpl(String name, GenerationResource<R> resource, String endpoint, Consumer<AttachmentImpl<?>> onClose) {
    this.name = name;
    this.resource = resource;
    this.endpoint = endpoint;
    this.onClose = onClose;
  }

  /** Opens on {@code client}, waiting at most {@code timeout}; a worker thread. */
  R openOn(RedissonClient client, Duration timeout) throws Exception {
    try {
      return resource.open(client).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = FailureClassifier.unwrap(e);
      throw cause instanceof Exception ex ? ex : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("opening " + name + " took longer than " + timeout.toMillis() + " ms");
    }
  }

  @SuppressWarnings("unchecked")
  void closeOn(RedissonClient client, Object opened) {
    try {
      resource.close(client, (R) opened);
    } catch (RuntimeException e) {
      log.debug("Redis {}: closing {} failed: {}", endpoint, name, Describe.describe(e));
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "Attachment[" + name + "]";
  }
}
