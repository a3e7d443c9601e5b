package io.github.resilientjcache.core.event;

import io.github.resilientjcache.core.SupervisorState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Something the supervisor did or saw. Immutable; {@code toString} is a log line. */
public sealed interface SupervisorEvent {

  /** What kind of event, for filtering and switching. */
  enum Type {
    STATE_TRANSITION,
    REBUILD_STARTED,
    REBUILD_SUCCEEDED,
    REBUILD_FAILED,
    GENERATION_CHANGED,
    CONNECTION_LOST,
    SHARD_STATE_TRANSITION
  }

  Type type();

  Instant createdAt();

  /** The sanitised endpoint, such as {@code redis://primary.example:6379} (never credentials). */
  String endpoint();

  /** The client generation current when the event happened (the new one for a change). */
  long generation();

  /** AVAILABLE -> UNAVAILABLE and back; {@code cause} says why it changed. */
  record StateTransition(Instant createdAt, String endpoint, long generation, SupervisorState from,
      SupervisorState to, String cause) implements SupervisorEvent {
    public StateTransition {
      Objects.requireNonNull(from);
      Objects.requireNonNull(to);
    }

    @Override
    public Type type() {
      return Type.STATE_TRANSITION;
    }
  }

  /** A new client is being built, because of {@code reason}; {@code attempt} counts from 1 per episode. */
  record RebuildStarted(Instant createdAt, String endpoint, long generation, String reason, int attempt)
      implements SupervisorEvent {
    @Override
    public Type type() {
      return Type.REBUILD_STARTED;
    }
  }

  /** The new client answered and was swapped in; {@code took} is the whole attempt. */
  record RebuildSucceeded(Instant createdAt, String endpoint, long generation, int attempt, Duration took,
      String address) implements SupervisorEvent {
    @Override
    public Type type() {
      return Type.REBUILD_SUCCEEDED;
    }
  }

  /** The attempt failed; the next one starts after {@code nextAttemptIn}. */
  record RebuildFailed(Instant createdAt, String endpoint, long generation, int attempt, Duration took,
      String cause, Duration nextAttemptIn) implements SupervisorEvent {
    @Override
    public Type type() {
      return Type.REBUILD_FAILED;
    }
  }

  /**
   * Generation {@code previous} was replaced by {@link #generation()}; the cache layer re-subscribes and
   * rebinds. {@code outage} is the time since the failure counter opened, if it did.
   */
  record GenerationChanged(Instant createdAt, String endpoint, long generation, long previous,
      @Nullable Duration outage) implements SupervisorEvent {
    @Override
    public Type type() {
      return Type.GENERATION_CHANGED;
    }
  }

  /**
   * Connections of the current generation to {@code address} were lost at {@link #createdAt()}; Redisson
   * reconnects by itself, without a new generation. Pub/sub messages published from then until the
   * reconnect may never arrive: a near cache reconciles the entries they could have invalidated. (A new
   * generation implies the same; {@link GenerationChanged} says so on its own.)
   *
   * @param address the node, as {@code host:port}
   * @param nodeType {@code MASTER}, {@code SLAVE} or {@code SENTINEL}
   */
  record ConnectionLost(Instant createdAt, String endpoint, long generation, String address, String nodeType)
      implements SupervisorEvent {
    @Override
    public Type type() {
      return Type.CONNECTION_LOST;
    }
  }

  /**
   * On Redis Cluster, one shard's primary ({@code shard}, as {@code host:port}) stopped or started
   * answering. Calls routed to it fail fast while it is unavailable; other shards are not affected.
   */
  record ShardStateTransition(Instant createdAt, String endpoint, long generation, String shard,
      SupervisorState from, SupervisorState to, String cause) implements SupervisorEvent {
    public ShardStateTransition {
      Objects.requireNonNull(from);
      Objects.requireNonNull(to);
    }

    @Override
    public Type type() {
      return Type.SHARD_STATE_TRANSITION;
    }
  }
}
