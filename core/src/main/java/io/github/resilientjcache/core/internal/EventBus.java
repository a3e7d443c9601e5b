package io.github.resilientjcache.core.internal;

import io.github.resilientjcache.core.event.SupervisorEvent;
import io.github.resilientjcache.core.event.SupervisorEventPublisher;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;

/** Delivers events to listeners in order, on the publishing (supervisor) thread; one bad listener harms none. */
final class EventBus implements SupervisorEventPublisher {

  private final List<Consumer<? super SupervisorEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Logger log;

  EventBus(Logger log) {
    this.log = log;
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

  void publish(SupervisorEvent event) {
    log.debug("{}", event);
    for (Consumer<? super SupervisorEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("a supervisor event listener failed on {}", event.type(), e);
      }
    }
  }
}
