package io.github.resilientjcache.core.event;

import java.util.function.Consumer;

/**
 * Where listeners subscribe. Listeners run on the supervisor's own thread, one event at a time, in order;
 * a listener must not block (hand long work to an executor). An exception from a listener is logged and
 * does not stop the others.
 */
public interface SupervisorEventPublisher {

  /** Every event. */
  SupervisorEventPublisher onEvent(Consumer<? super SupervisorEvent> listener);

  SupervisorEventPublisher onStateTransition(Consumer<? super SupervisorEvent.StateTransition> listener);

  SupervisorEventPublisher onGenerationChanged(Consumer<? super SupervisorEvent.GenerationChanged> listener);
}
