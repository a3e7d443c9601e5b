package io.github.resilientjcache.jcache.store;

import io.github.resilientjcache.core.Attachment;
import io.github.resilientjcache.core.GenerationResource;
import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisSession;
import io.github.resilientjcache.core.RedisSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RScript;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.OptionalOptions;
import org.redisson.api.options.PlainOptions;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the JVMs sharing a cache learn of each other's changes, with no cost when nobody listens:
 *
 * <ul>
 *   <li>a control channel every manager with the cache subscribes to: {@code C<epoch>} after a
 *       {@code clear()} (so the others move to the new epoch at once), {@code L<origin>} when a manager
 *       starts or stops listening;
 *   <li>a registry of the managers that listen (a sorted set: member the manager's origin id, score its
 *       lease's end in Redis' own clock, milliseconds, renewed while it listens), which the others read to
 *       decide whether their writes publish;
 *   <li>an events channel, subscribed to only while this manager has listeners on the cache, that carries
 *       what the store's scripts publish when someone else listens: kind, origin, Redis key, new and old value.
 * </ul>
 *
 * <p>Both subscriptions are {@linkplain RedisSupervisor#attach attached}: they are made again on every new
 * client before it takes traffic. After a new client or a lost connection, messages may have been missed,
 * so the feed reads the epoch and the registry again ({@link #resync()}).
 */
public final class ChangeFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

  /** How long a listening manager's entry in the registry lives without a renewal. */
  static final Duration LEASE = Duration.ofSeconds(30);
  /** How often a listening manager renews its lease, and others re-read the registry while someone listens. */
  public static final Duration RENEWAL = Duration.ofSeconds(10);
  /** How long closing waits to leave the registry. */
  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * A change another manager made, as its script published it: the entry's version after it (for a removal,
   * the removal's), and the values only when some manager listens for events.
   */
  public record Change(char kind, String redisKey, long version, byte @Nullable [] newValue,
      byte @Nullable [] oldValue) {
    public static final char CREATED = 'c';
    public static final char UPDATED = 'u';
    public static final char REMOVED = 'r';
    /** Gone because an update's TTL was zero: no listener's event, but a near cache drops the entry. */
    public static final char EXPIRED = 'x';
  }

  /** A registry member's suffix: this manager wants key and version only (a near cache, no listener). */
  private static final String INVALIDATIONS_ONLY = "/i";
  private static final byte BEACON_KIND = 'H';

  private final RedisSupervisor redis;
  private final KeyLayout layout;
  private final RedisStore store;
  private final String origin;
  private final ScheduledExecutorService timer;
  private final Consumer<Change> onChange;
  private final Attachment<Integer> control;
  private @Nullable Attachment<Integer> events;
  private @Nullable ScheduledFuture<?> renewal;
  private final ScheduledFuture<?> registryCheck;
  private final AtomicLong registryReads = new AtomicLong();
  /** Whether this manager has listeners on the cache (it wants the values). */
  private boolean listening;
  /** Told of each beacon tick and echo, once {@link #carryInvalidations} made this feed carry them. */
  private volatile @Nullable Runnable onBeat;
  private @Nullable ScheduledFuture<?> beacons;
  private final AtomicLong beaconsSent = new AtomicLong();
  /** When this manager last received its own beacon, by {@link System#nanoTime()}; 0: never. */
  private volatile long lastEcho;
  private volatile long announced;
  private volatile boolean closed;

  /**
   * @param origin this manager's id, unique among the JVMs sharing the cache: its own changes come back
   *     on the events channel and are dropped by it
   * @param onChange told of the others' changes, on a Redisson thread: it must not block
   */
  public ChangeFeed(RedisSupervisor redis, RedisStore store, String origin, ScheduledExecutorService timer,
      Consumer<Change> onChange) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.store = Objects.requireNonNull(store, "store");
    this.layout = store.layout();
    this.origin = Objects.requireNonNull(origin, "origin");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.control = redis.attach("cache " + layout.cacheName() + " control channel", new Subscription(
        layout.controlChannel(), this::onControl, null));
    // Read whether or not anyone listens now: a manager whose announcement was missed (a server that came
    // back empty, two managers starting together) is found within one period.
    this.registryCheck = timer.scheduleWithFixedDelay(this::readRegistry, RENEWAL.toMillis(), RENEWAL.toMillis(),
        TimeUnit.MILLISECONDS);
    readRegistry();
  }

  /** Whether a manager other than this one listens to the cache (as far as this one knows). */
  public boolean othersListen() {
    return store.isPublishing();
  }

  /**
   * Starts receiving the others' changes (this manager has listeners now): subscribes, then registers, then
   * tells the others, so that no change published after they know is missed. Waits for the subscription,
   * at most {@code timeout}.
   */
  public synchronized void listen(Duration timeout) {
    if (closed || listening) {
      return;
    }
    listening = true;
    subscribe(timeout);
  }

  /**
   * Makes this feed carry other managers' changes for a near cache, for good: subscribes, registers as
   * wanting key and version only (unless listeners want more), and sends itself a beacon through the events
   * channel every {@code interval}, so a silent subscription shows as a beacon that does not come back. {@code
   * onBeat} is told at each beacon sent and each one received ({@link #lastEcho()}): on a timer or a Redisson
   * thread, it must not block.
   */
  public synchronized void carryInvalidations(Runnable onBeat, Duration interval, Duration timeout) {
    if (closed || this.onBeat != null) {
      return;
    }
    this.onBeat = Objects.requireNonNull(onBeat, "onBeat");
    subscribe(timeout);
    beacons = timer.scheduleWithFixedDelay(this::beacon, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** When this manager last received its own beacon, by {@link System#nanoTime()}; 0 if never. */
  public long lastEcho() {
    return lastEcho;
  }

  private void beacon() {
    try {
      sendBeacon();
    } catch (RuntimeException e) { // never out of the timer: a scheduled task that throws is not run again
      log.warn("cache {}: the near cache's beacon failed: {}", layout.cacheName(), e.toString());
    }
  }

  private void sendBeacon() {
    Runnable beat = onBeat;
    if (closed || beat == null) {
      return;
    }
    String channel = layout.eventsChannel();
    byte[] message = (((char) BEACON_KIND) + frame(origin) + frame(Long.toString(beaconsSent.incrementAndGet())))
        .getBytes(StandardCharsets.UTF_8);
    redis.executeAsync(Idempotence.NON_IDEMPOTENT, channel,
            s -> s.client().getTopic(channel, ByteArrayCodec.INSTANCE).publishAsync(message))
        .exceptionally(e -> {
          log.debug("cache {}: the beacon was not sent: {}", layout.cacheName(), e.toString());
          return 0L;
        });
    beat.run();
  }

  private static String frame(String field) {
    return field.getBytes(StandardCharsets.UTF_8).length + ":" + field;
  }

  /** Subscribes (once, for listeners and near cache alike), registers and tells the others. */
  private void subscribe(Duration timeout) {
    if (events != null) {
      register(); // the mode changed: the others read the registry again
      return;
    }
    CompletableFuture<Void> open = new CompletableFuture<>();
    events = redis.attach("cache " + layout.cacheName() + " events channel", new Subscription(
        layout.eventsChannel(), this::onEvent, open));
    try {
      open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("cache {}: the events channel is not subscribed yet ({}); other JVMs' changes arrive once it is",
          layout.cacheName(), e.toString());
    }
    register(); // after the subscription: no change published once the others know is missed
    renewal = timer.scheduleWithFixedDelay(() -> renew().thenAccept(added -> {
      if (added == 1) { // the registry had lost us (a server that came back empty): tell the others again
        register();
      }
    }), RENEWAL.toMillis(), RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops receiving the others' changes (this manager's last listener went), and leaves the registry, so
   * the others stop publishing; the stage ends when the others have been told.
   */
  public synchronized CompletionStage<?> stopListening() {
    if (!listening) {
      return CompletableFuture.completedFuture(null);
    }
    listening = false;
    if (onBeat != null && !closed) {
      // The near cache still wants invalidations: only the values are no longer needed.
      return register();
    }
    return leave();
  }

  private synchronized CompletionStage<?> leave() {
    if (events == null) {
      return CompletableFuture.completedFuture(null);
    }
    events.close();
    events = null;
    if (renewal != null) {
      renewal.cancel(false);
      renewal = null;
    }
    String registry = layout.listenersKey();
    return redis.executeAsync(Idempotence.IDEMPOTENT, registry,
            s -> registry(s.client(), registry).removeAllAsync(List.of(origin, origin + INVALIDATIONS_ONLY)))
        .thenCompose(x -> announce("L" + origin))
        .exceptionally(e -> null); // the lease runs out by itself
  }

  /**
   * Reads what may have been missed while no message could arrive (the epoch and the registry), and, while
   * subscribed, registers and announces this manager again: the registry may have been lost with a server.
   */
  public void resync() {
    if (closed) {
      return;
    }
    store.refreshEpoch();
    readRegistry();
    synchronized (this) {
      if (events != null) {
        register();
      }
    }
  }

  /**
   * When this manager last finished registering and telling the others (by {@link System#nanoTime()}; 0:
   * never): a change published after that, by anyone, reaches it.
   */
  public long lastAnnounced() {
    return announced;
  }

  /** Renews the lease, then tells the others to read the registry; records when both succeeded. */
  private CompletionStage<?> register() {
    return renew().thenCompose(added -> added < 0 ? CompletableFuture.completedFuture(false)
            : announce("L" + origin))
        .thenAccept(told -> {
          if (told) {
            announced = System.nanoTime();
          }
        });
  }

  private CompletionStage<Boolean> announce(String message) {
    String channel = layout.controlChannel();
    return redis.executeAsync(Idempotence.NON_IDEMPOTENT, channel,
            s -> s.client().getTopic(channel, StringCodec.INSTANCE).publishAsync(message))
        .thenApply(n -> true)
        .exceptionally(e -> {
          log.debug("cache {}: publishing {} failed: {}", layout.cacheName(), message, e.toString());
          return false;
        });
  }

  /**
   * Renews this manager's lease, under the member that says what it wants (and drops the other): 1 if the
   * registry did not have it, 0 if it did, -1 if Redis did not answer.
   */
  private synchronized CompletionStage<Long> renew() {
    String registry = layout.listenersKey();
    String member = listening ? origin : origin + INVALIDATIONS_ONLY;
    String other = listening ? origin + INVALIDATIONS_ONLY : origin;
    return redis.executeAsync(Idempotence.IDEMPOTENT, registry, s -> script(s).<Long>evalAsync(
            RScript.Mode.READ_WRITE, Scripts.RENEW_LEASE, RScript.ReturnType.LONG, List.of(registry), member,
            Long.toString(LEASE.toMillis()), other))
        .exceptionally(e -> {
          log.debug("cache {}: renewing the listener lease failed: {}", layout.cacheName(), e.toString());
          return -1L;
        });
  }

  private void readRegistry() {
    String registry = layout.listenersKey();
    long read = registryReads.incrementAndGet();
    redis.executeAsync(Idempotence.READ, registry, s -> script(s).<List<Object>>evalAsync(RScript.Mode.READ_WRITE,
            Scripts.LIVE_LEASES, RScript.ReturnType.LIST, List.of(registry)))
        .thenAccept(live -> {
          if (registryReads.get() == read) { // an older read that answers late says nothing new
            listenersAre(live);
          }
        })
        .exceptionally(e -> {
          log.debug("cache {}: reading the listener registry failed: {}", layout.cacheName(), e.toString());
          return null;
        });
  }

  /** Leases are ended and read by Redis' clock, so JVMs whose clocks disagree still agree on them. */
  private static RScript script(RedisSession s) {
    return s.client().getScript(s.options(OptionalOptions.defaults().codec(StringCodec.INSTANCE)));
  }

  private void listenersAre(Collection<Object> live) {
    boolean others = false;
    boolean values = false;
    for (Object member : live) {
      String m = String.valueOf(member);
      boolean keysOnly = m.endsWith(INVALIDATIONS_ONLY);
      String who = keysOnly ? m.substring(0, m.length() - INVALIDATIONS_ONLY.length()) : m;
      if (!origin.equals(who)) {
        others = true;
        values |= !keysOnly;
      }
    }
    store.publishTo(others ? layout.eventsChannel() : null, origin, values);
  }

  private void onControl(byte[] message) {
    if (message.length == 0) {
      return;
    }
    String m = new String(message, StandardCharsets.US_ASCII);
    if (m.charAt(0) == 'C') {
      store.epochIsAtLeast(Long.parseLong(m.substring(1)));
    } else if (m.charAt(0) == 'L' && !m.substring(1).equals(origin)) {
      // Someone started or stopped: publish everything until the registry says what is needed.
      store.publishTo(layout.eventsChannel(), origin, true);
      timer.execute(this::readRegistry);
    }
  }

  private void onEvent(byte[] message) {
    if (message.length > 0 && message[0] == 'C') { // a clear, sent here too: the beacon vouches for this channel
      onControl(message);
      return;
    }
    try {
      Frames f = new Frames(message);
      char kind = (char) message[0];
      byte[] from = f.next();
      boolean ours = from != null && origin.equals(new String(from, StandardCharsets.UTF_8));
      if (kind == BEACON_KIND) {
        Runnable beat = onBeat;
        if (ours && beat != null) {
          lastEcho = System.nanoTime();
          beat.run();
        }
        return;
      }
      if (from == null || ours) {
        return; // ours: delivered already, as the call made it
      }
      byte[] key = f.next();
      byte[] version = f.next();
      if (key == null || version == null) {
        return;
      }
      onChange.accept(new Change(kind, new String(key, StandardCharsets.UTF_8),
          Long.parseLong(new String(version, StandardCharsets.US_ASCII)), f.next(), f.next()));
    } catch (RuntimeException e) {
      log.warn("cache {}: dropped an event that could not be read: {}", layout.cacheName(), e.toString());
    }
  }

  private static RScoredSortedSet<String> registry(RedissonClient client, String key) {
    return client.getScoredSortedSet(PlainOptions.name(key).codec(StringCodec.INSTANCE));
  }

  /**
   * Stops everything; waits a moment for the registry to be left, since the manager closes its client next
   * (otherwise the others would go on publishing to nobody until the lease ran out).
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      listening = false;
      if (beacons != null) {
        beacons.cancel(false);
      }
    }
    registryCheck.cancel(false);
    try {
      leave().toCompletableFuture().get(LEAVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("cache {}: leaving the listener registry did not finish: {}", layout.cacheName(), e.toString());
    }
    control.close();
  }

  /** The published message's fields after its kind: each {@code <length>:<bytes>}, or {@code -} for none. */
  private static final class Frames {
    private final byte[] m;
    private int at = 1;

    Frames(byte[] m) {
      this.m = m;
    }

    byte @Nullable [] next() {
      if (at >= m.length) {
        return null;
      }
      if (m[at] == '-') {
        at++;
        return null;
      }
      int colon = at;
      while (m[colon] != ':') {
        colon++;
      }
      int length = Integer.parseInt(new String(m, at, colon - at, StandardCharsets.US_ASCII));
      byte[] field = java.util.Arrays.copyOfRange(m, colon + 1, colon + 1 + length);
      at = colon + 1 + length;
      return field;
    }
  }

  /** A channel subscription, made on each client; completes {@code opened} the first time it is. */
  private final class Subscription implements GenerationResource<Integer> {
    private final String channel;
    private final Consumer<byte[]> handler;
    private final @Nullable CompletableFuture<Void> opened;

    Subscription(String channel, Consumer<byte[]> handler, @Nullable CompletableFuture<Void> opened) {
      this.channel = channel;
      this.handler = handler;
      this.opened = opened;
    }

    @Override
    public CompletionStage<Integer> open(RedissonClient client) {
      RTopic topic = client.getTopic(channel, ByteArrayCodec.INSTANCE);
      return topic.addListenerAsync(byte[].class, (ch, message) -> handler.accept(message)).thenApply(id -> {
        if (opened != null) {
          opened.complete(null);
        }
        return id;
      });
    }

    @Override
    public void close(RedissonClient client, Integer id) {
      if (!client.isShutdown()) {
        client.getTopic(channel, ByteArrayCodec.INSTANCE).removeListenerAsync(id);
      }
    }
  }
}
