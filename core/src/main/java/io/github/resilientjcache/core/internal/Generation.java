package io.github.resilientjcache.core.internal;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RedissonClient;

/**
 * One verified client, its number, the attempts in flight on it and the resources attached to it. An
 * attempt records its generation, so a failure of a replaced client is never blamed on its successor, and
 * the supervisor can fail (or resend) every attempt in flight on a client at the moment it replaces it:
 * Redisson's shutdown would otherwise stop the timer that times them out, and some would wait forever.
 */
final class Generation {

  final long number;
  final RedissonClient client;
  /** The node a single-server client is connected to, as resolved when it was built. */
  final @Nullable InetSocketAddress address;
  private final InFlight inFlight = new InFlight();
  private final Map<AttachmentImpl<?>, Object> resources = new ConcurrentHashMap<>();
  private volatile boolean retired;
  /** System.nanoTime() of the last lost connection to a primary; long before the generation, for none. */
  volatile long lastDisconnectNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

  Generation(long number, RedissonClient client, @Nullable InetSocketAddress address) {
    this.number = number;
    this.client = client;
    this.address = address;
  }

  /**
   * Registers an attempt. False if the generation was retired meanwhile: the caller must then abandon the
   * attempt itself, since {@link #retire()} may already have passed it by.
   */
  boolean track(Attempt<?> a) {
    inFlight.add(a);
    return !retired;
  }

  void untrack(Attempt<?> a) {
    inFlight.remove(a, a.slot);
  }

  /** The attempts in flight now, in no order. */
  List<Attempt<?>> inFlight() {
    return inFlight.snapshot();
  }

  boolean isRetired() {
    return retired;
  }

  /** Marks the generation replaced; returns the attempts in flight, which the caller must abandon. */
  List<Attempt<?>> retire() {
    retired = true;
    return inFlight.snapshot(); // the callers claim each one, which takes it out
  }

  @SuppressWarnings("unchecked")
  <R> @Nullable R resource(AttachmentImpl<R> a) {
    return (R) resources.get(a);
  }

  void putResource(AttachmentImpl<?> a, Object r) {
    resources.put(a, r);
  }

  @Nullable Object removeResource(AttachmentImpl<?> a) {
    return resources.remove(a);
  }

  /** Takes every resource out, for closing: one taken here is never taken again by removeResource. */
  Map<AttachmentImpl<?>, Object> drainResources() {
    Map<AttachmentImpl<?>, Object> taken = new HashMap<>();
    for (Map.Entry<AttachmentImpl<?>, Object> e : resources.entrySet()) {
      if (resources.remove(e.getKey(), e.getValue())) {
        taken.put(e.getKey(), e.getValue());
      }
    }
    return taken;
  }

  String describeAddress() {
    return address == null ? "(managed topology)" : address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  @Override
  public String toString() {
    return "generation " + number + " at " + describeAddress();
  }
}
