package io.github.resilientjcache.core.event;

import java.util.function.Consumer;

/**
 * Where listeners subscribe. Listeners run on one event thread of the supervisor's, one event at a time,
 * in the order the events happened, never on the thread that decides probes and rebuilds: a listener may
 * call {@code execute} (a rebind after {@code GenerationChanged}). A slow listener delays the events after
 * it, not the supervisor. An exception from a listener is logged and does not stop the others.
 */
public interface SupervisorEventPublisher {

  /** Every event. */
  SupervisorEventPublisher onEvent(Consumer<? super SupervisorEvent> listener);

  SupervisorEventPublisher onStateTransition(Consumer<? super SupervisorEvent.StateTransition> listener);

  SupervisorEventPublisher onGenerationChanged(Consumer<? super SupervisorEvent.GenerationChanged> listener);
}
