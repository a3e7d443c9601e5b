package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Delivers events to listeners in order, on a thread of its own: a listener that calls back into the
 * supervisor (a rebind after a new generation) can never stall the thread that runs probes and rebuilds.
 * One bad listener harms none.
 */
final class EventBus implements SupervisorEventPublisher {

  private final List<Consumer<? super SupervisorEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Logger log;
  private final ExecutorService thread;

  EventBus(Logger log, ExecutorService singleThread) {
    this.log = log;
    this.thread = singleThread;
  }

  @Override
  public SupervisorEventPublisher onEvent(Consumer<? super SupervisorEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  @Override
  public SupervisorEventPublisher onStateTransition(Consumer<? super SupervisorEvent.StateTransition> listener) {
    Objects.requireNonNull(listener, "listener");
    return onEvent(e -> {
      if (e instanceof SupervisorEvent.StateTransition t) {
        listener.accept(t);
      }
    });
  }

  @Override
  public SupervisorEventPublisher onGenerationChanged(Consumer<? super SupervisorEvent.GenerationChanged> listener) {
    Objects.requireNonNull(listener, "listener");
    return onEvent(e -> {
      if (e instanceof SupervisorEvent.GenerationChanged g) {
        listener.accept(g);
      }
    });
  }

  /** Queues {@code event} for delivery; the order of calls is the order of delivery. */
  void publish(SupervisorEvent event) {
    try {
      thread.execute(() -> deliver(event));
    } catch (RejectedExecutionException e) {
      log.debug("event after close, not delivered: {}", event);
    }
  }

  private void deliver(SupervisorEvent event) {
    log.debug("{}", event);
    for (Consumer<? super SupervisorEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("a supervisor event listener failed on {}", event.type(), e);
      }
    }
  }

  /** Waits, at most {@code timeout}, until what was published so far has been delivered. */
  void drain(java.time.Duration timeout) {
    try {
      thread.submit(() -> {}).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
        | RejectedExecutionException e) {
      log.debug("events not drained: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Delivers what is queued, within {@code timeoutNanos}, then stops. */
  void close(long timeoutNanos) {
    thread.shutdown();
    try {
      thread.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.shutdownNow();
  }
}
