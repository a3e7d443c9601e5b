package io.github.resilientjcache.jcache.store;

import io.github.resilientjcache.core.Attachment;
import io.github.resilientjcache.core.GenerationResource;
import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisSupervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
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
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
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
 *       lease's end in epoch milliseconds, renewed while it listens), which the others read to decide whether
 *       their writes publish;
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
  static final Duration RENEWAL = Duration.ofSeconds(10);

  /** A change another manager made, as its script published it. */
  public record Change(char kind, String redisKey, byte @Nullable [] newValue, byte @Nullable [] oldValue) {
    public static final char CREATED = 'c';
    public static final char UPDATED = 'u';
    public static final char REMOVED = 'r';
  }

  private final RedisSupervisor redis;
  private final KeyLayout layout;
  private final RedisStore store;
  private final String origin;
  private final ScheduledExecutorService timer;
  private final Consumer<Change> onChange;
  private final Attachment<Integer> control;
  private @Nullable Attachment<Integer> events;
  private @Nullable CompletableFuture<Void> eventsOpen;
  private @Nullable ScheduledFuture<?> renewal;
  private final ScheduledFuture<?> registryCheck;
  private final AtomicLong registryReads = new AtomicLong();
  private volatile boolean othersListen;
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
    this.registryCheck = timer.scheduleWithFixedDelay(() -> {
      if (othersListen) {
        readRegistry();
      }
    }, RENEWAL.toMillis(), RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
    readRegistry();
  }

  /** Whether a manager other than this one listens to the cache (as far as this one knows). */
  public boolean othersListen() {
    return othersListen;
  }

  /**
   * Starts receiving the others' changes (this manager has listeners now): subscribes, then registers, then
   * tells the others, so that no change published after they know is missed. Waits for the subscription,
   * at most {@code timeout}.
   */
  public synchronized void listen(Duration timeout) {
    if (closed || events != null) {
      return;
    }
    CompletableFuture<Void> open = new CompletableFuture<>();
    eventsOpen = open;
    events = redis.attach("cache " + layout.cacheName() + " events channel", new Subscription(
        layout.eventsChannel(), this::onEvent, open));
    try {
      open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("cache {}: the events channel is not subscribed yet ({}); other JVMs' changes arrive once it is",
          layout.cacheName(), e.toString());
    }
    renew().thenRun(() -> announce("L" + origin)); // after the registry has us: the others read it then
    renewal = timer.scheduleWithFixedDelay(this::renew, RENEWAL.toMillis(), RENEWAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Stops receiving the others' changes (this manager's last listener went). */
  public synchronized void stopListening() {
    if (events == null) {
      return;
    }
    events.close();
    events = null;
    eventsOpen = null;
    if (renewal != null) {
      renewal.cancel(false);
      renewal = null;
    }
    String registry = layout.listenersKey();
    redis.executeAsync(Idempotence.IDEMPOTENT, registry, s -> registry(s.client(), registry).removeAsync(origin))
        .thenRun(() -> announce("L" + origin))
        .exceptionally(e -> null); // the lease runs out by itself
  }

  /** Reads what may have been missed while no message could arrive: the epoch and the registry. */
  public void resync() {
    if (closed) {
      return;
    }
    store.refreshEpoch();
    readRegistry();
  }

  private CompletionStage<Long> announce(String message) {
    String channel = layout.controlChannel();
    return redis.executeAsync(Idempotence.NON_IDEMPOTENT, channel,
            s -> s.client().getTopic(channel, StringCodec.INSTANCE).publishAsync(message))
        .exceptionally(e -> {
          log.debug("cache {}: publishing {} failed: {}", layout.cacheName(), message, e.toString());
          return 0L;
        });
  }

  private CompletionStage<?> renew() {
    String registry = layout.listenersKey();
    long until = System.currentTimeMillis() + LEASE.toMillis();
    return redis.executeAsync(Idempotence.IDEMPOTENT, registry, s -> {
      RScoredSortedSet<String> set = registry(s.client(), registry);
      return set.addAsync(until, origin).thenCompose(x -> set.expireAsync(LEASE.multipliedBy(2)));
    }).exceptionally(e -> {
      log.debug("cache {}: renewing the listener lease failed: {}", layout.cacheName(), e.toString());
      return false;
    });
  }

  private void readRegistry() {
    String registry = layout.listenersKey();
    long now = System.currentTimeMillis();
    long read = registryReads.incrementAndGet();
    redis.executeAsync(Idempotence.READ, registry,
            s -> registry(s.client(), registry).valueRangeAsync(now, true, Double.POSITIVE_INFINITY, true))
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

  private void listenersAre(Collection<String> live) {
    boolean others = false;
    for (String member : live) {
      others |= !member.equals(origin);
    }
    setOthersListen(others);
  }

  private void setOthersListen(boolean others) {
    othersListen = others;
    store.publishTo(others ? layout.eventsChannel() : null, origin);
  }

  private void onControl(byte[] message) {
    if (message.length == 0) {
      return;
    }
    String m = new String(message, StandardCharsets.US_ASCII);
    if (m.charAt(0) == 'C') {
      store.epochIsAtLeast(Long.parseLong(m.substring(1)));
    } else if (m.charAt(0) == 'L' && !m.substring(1).equals(origin)) {
      setOthersListen(true); // someone started or stopped: publish until the registry says otherwise
      timer.execute(this::readRegistry);
    }
  }

  private void onEvent(byte[] message) {
    try {
      Frames f = new Frames(message);
      char kind = (char) message[0];
      byte[] from = f.next();
      if (from == null || origin.equals(new String(from, StandardCharsets.UTF_8))) {
        return; // ours: delivered already, as the call made it
      }
      byte[] key = f.next();
      if (key == null) {
        return;
      }
      onChange.accept(new Change(kind, new String(key, StandardCharsets.UTF_8), f.next(), f.next()));
    } catch (RuntimeException e) {
      log.warn("cache {}: dropped an event that could not be read: {}", layout.cacheName(), e.toString());
    }
  }

  private static RScoredSortedSet<String> registry(RedissonClient client, String key) {
    return client.getScoredSortedSet(PlainOptions.name(key).codec(StringCodec.INSTANCE));
  }

  @Override
  public void close() {
    closed = true;
    registryCheck.cancel(false);
    stopListening();
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
