package io.github.resilientjcache.core.metrics;

import io.github.resilientjcache.core.CallCounts;
import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.core.event.SupervisorEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a supervisor's health to Micrometer, so an operator can alert on an outage and see how long
 * recovery took. Every meter carries the tags {@code name} (the supervisor's) and {@code endpoint}
 * (sanitised: addresses only), plus any extra tags given to {@link #bindTo(RedisSupervisor, MeterRegistry,
 * Iterable)}; {@code name} and {@code endpoint} win over an extra tag of the same key.
 *
 * <ul>
 *   <li>{@code resilientjcache.redis.available} gauge: 1 while calls reach Redis, else 0;
 *   <li>{@code resilientjcache.redis.generation} gauge: the current client's generation;
 *   <li>{@code resilientjcache.redis.rebuilds} counter, tag {@code outcome} = {@code success} |
 *       {@code failure}: finished rebuild attempts;
 *   <li>{@code resilientjcache.redis.recovery} timer: each outage, from the failure counter opening to the
 *       verified new client (the first connect is not a recovery);
 *   <li>{@code resilientjcache.redis.calls} function counter, tag {@code outcome} = {@code succeeded} |
 *       {@code failed} | {@code rejected} (failed fast) | {@code overloaded} | {@code retried}: attempts, by
 *       how they ended (see {@link CallCounts});
 *   <li>{@code resilientjcache.redis.failure.rate} gauge: the failure counter's rate over its window, in
 *       percent (-1 until the window holds its minimum number of calls);
 *   <li>{@code resilientjcache.redis.shards.unavailable} gauge: on Cluster, the primaries whose keys fail
 *       fast now;
 * </ul>
 *
 * <p>Every meter reads counters the supervisor keeps anyway: binding adds no work to a call. resilience4j's
 * own meters are not used: the circuit breaker's listen to an event the breaker would then build for every
 * call, and the retry's would count only what goes through its context, which the supervisor makes only
 * for calls that failed once.
 *
 * <pre>{@code
 * try (SupervisorMetrics metrics = SupervisorMetrics.bindTo(supervisor, registry)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} removes every meter this binding registered. The supervisor's event publisher has
 * no unsubscribe, so the binding's listener stays subscribed and ignores events once closed (a volatile
 * flag). It is a small object per binding; bind once per supervisor.
 */
public final class SupervisorMetrics implements AutoCloseable {

  private static final String PREFIX = "resilientjcache.redis.";

  private final MeterRegistry registry;
  // Every meter goes through this composite, whose filter adds our tags: resilience4j registers its
  // meters itself, tagged with the breaker's name, and a filter on the caller's registry would apply to
  // all of its meters and could never be removed.
  private final CompositeMeterRegistry tagged;
  private final Counter rebuildsSucceeded;
  private final Counter rebuildsFailed;
  private final Timer recovery;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean listening = true;

  private SupervisorMetrics(RedisSupervisor supervisor, MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tagged = new CompositeMeterRegistry(registry.config().clock());
    tagged.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.withTags(tags);
      }
    });
    tagged.add(registry);
    Gauge.builder(PREFIX + "available", supervisor, s -> s.state() == SupervisorState.AVAILABLE ? 1 : 0)
        .description("1 while calls reach Redis, 0 while they fail fast and the client is rebuilt")
        .register(tagged);
    Gauge.builder(PREFIX + "generation", supervisor, RedisSupervisor::generation)
        .description("The current Redis client's generation: 1 for the first, +1 per rebuild")
        .register(tagged);
    this.rebuildsSucceeded = rebuilds("success");
    this.rebuildsFailed = rebuilds("failure");
    this.recovery = Timer.builder(PREFIX + "recovery")
        .description("Outages: from the failure counter opening to a verified new client")
        .register(tagged);
    calls(supervisor, "succeeded", CallCounts::succeeded);
    calls(supervisor, "failed", CallCounts::failed);
    calls(supervisor, "rejected", CallCounts::rejected);
    calls(supervisor, "overloaded", CallCounts::overloaded);
    calls(supervisor, "retried", CallCounts::retried);
    Gauge.builder(PREFIX + "failure.rate", supervisor, s -> s.circuitBreaker().getMetrics().getFailureRate())
        .description("The failure counter's failure rate over its window, in percent; -1 until it has enough calls")
        .baseUnit("percent")
        .register(tagged);
    Gauge.builder(PREFIX + "shards.unavailable", supervisor, s -> s.unavailableShards().size())
        .description("Redis Cluster primaries whose keys fail fast now")
        .register(tagged);
  }

  /** Registers the supervisor's meters in {@code registry}, tagged {@code name} and {@code endpoint}. */
  public static SupervisorMetrics bindTo(RedisSupervisor supervisor, MeterRegistry registry) {
    return bindTo(supervisor, registry, List.of());
  }

  /** Like {@link #bindTo(RedisSupervisor, MeterRegistry)}, with {@code extraTags} on every meter too. */
  public static SupervisorMetrics bindTo(RedisSupervisor supervisor, MeterRegistry registry,
      Iterable<Tag> extraTags) {
    Objects.requireNonNull(supervisor, "supervisor");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(extraTags, "extraTags");
    Tags tags = Tags.of(extraTags).and("name", supervisor.name()).and("endpoint", supervisor.endpoint());
    SupervisorMetrics metrics = new SupervisorMetrics(supervisor, registry, tags);
    // Subscribed last, so no event reaches a half-built binding.
    supervisor.events().onEvent(metrics::onEvent);
    return metrics;
  }

  private void calls(RedisSupervisor supervisor, String outcome, ToDoubleFunction<CallCounts> count) {
    FunctionCounter.builder(PREFIX + "calls", supervisor, s -> count.applyAsDouble(s.callCounts()))
        .description("Calls through the supervisor, by how they ended")
        .tag("outcome", outcome)
        .register(tagged);
  }

  private Counter rebuilds(String outcome) {
    return Counter.builder(PREFIX + "rebuilds")
        .description("Finished attempts to build and verify a new Redis client")
        .tag("outcome", outcome)
        .register(tagged);
  }

  /** Runs on the supervisor's event thread. */
  private void onEvent(SupervisorEvent event) {
    if (!listening) {
      return;
    }
    if (event instanceof SupervisorEvent.RebuildSucceeded) {
      rebuildsSucceeded.increment();
    } else if (event instanceof SupervisorEvent.RebuildFailed) {
      rebuildsFailed.increment();
    } else if (event instanceof SupervisorEvent.GenerationChanged changed) {
      Duration outage = changed.outage();
      if (outage != null) {
        recovery.record(outage);
      }
    }
  }

  /** Removes this binding's meters from the registry and stops counting; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listening = false;
    List<Meter.Id> ids = tagged.getMeters().stream().map(Meter::getId).toList();
    // Detached first, so the meters resilience4j keeps recording into no longer reach the registry.
    tagged.remove(registry);
    for (Meter.Id id : ids) {
      // Composite ids are the registry's pre-filter ids: right even when the registry maps them itself.
      registry.removeByPreFilterId(id);
    }
    tagged.clear();
  }
}
