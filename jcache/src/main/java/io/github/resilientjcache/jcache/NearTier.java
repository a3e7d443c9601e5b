package io.github.resilientjcache.jcache;

import io.github.resilientjcache.core.RedisSupervisor;
import io.github.resilientjcache.core.SupervisorState;
import io.github.resilientjcache.core.near.Journal;
import io.github.resilientjcache.core.near.NearCache;
import io.github.resilientjcache.core.near.OnUnavailable;
import io.github.resilientjcache.jcache.store.ChangeFeed;
import io.github.resilientjcache.jcache.store.KeyLayout.EncodedKey;
import io.github.resilientjcache.jcache.store.RedisStore;
import io.github.resilientjcache.jcache.store.ValueCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's near cache (when it has one) and journal, and how they follow Redis:
 *
 * <ul>
 *   <li>Invalidations may be missed after a lost connection, a new client, an open failure counter, or a
 *       beacon that did not come back for three beacon intervals: the near cache is then out of sync, and
 *       serves for its staleness bound at most.
 *   <li>Once this manager has registered and told the others again since the loss, its own beacon came back
 *       after that (the subscription delivers, and every writer that read the registry publishes), and the
 *       supervisor is available, the tier removes from Redis every journalled key (or clears the cache,
 *       after an overflow), reads the epoch again, asks Redis the version of every entry it holds and
 *       drops those that changed, and only then is in sync again; a second such pass a registry period
 *       later catches a change made by a writer that had not yet read of this manager. A clear it missed
 *       (the epoch moved) drops everything.
 * </ul>
 */
final class NearTier {

  private static final Logger log = LoggerFactory.getLogger(NearTier.class);

  /** Keys per version read during a reconciliation. */
  private static final int RECONCILE_BATCH = 1_000;
  /** Values immutable and final, whose instances a near cache may hand out to every caller. */
  private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Boolean.class, Character.class, Byte.class,
      Short.class, Integer.class, Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class,
      UUID.class, java.time.Instant.class, java.time.LocalDate.class, java.time.LocalDateTime.class,
      java.time.LocalTime.class, java.time.OffsetDateTime.class, java.time.ZonedDateTime.class,
      java.time.Duration.class);

  private final String cacheName;
  private final @Nullable NearCache<Object> near;
  private final Journal<EncodedKey> journal;
  private final OnUnavailable onUnavailable;
  private final RedisStore store;
  private final ValueCodec codec;
  private final RedisSupervisor redis;
  private final Executor background;
  private @Nullable ChangeFeed feed;
  private final AtomicBoolean reconciling = new AtomicBoolean();
  private final AtomicBoolean replaying = new AtomicBoolean();
  /** One replay at a time: the background one, a reconciliation's. */
  private final Object replay = new Object();
  /** When sync was last lost, by {@link System#nanoTime()}: what comes back must be newer. */
  private volatile long lostAt = System.nanoTime();
  /** When a reconciliation that restored sync should be run once more to confirm it (0: none owed). */
  private volatile long confirmAt;
  /** When the feed was last asked to register again, by {@link System#nanoTime()}. */
  private volatile long resyncedAt;
  private volatile boolean overflowLogged;
  private @Nullable CompletableFuture<?> clearing;

  NearTier(String cacheName, @Nullable NearCache<Object> near, int journalSize, OnUnavailable onUnavailable,
      RedisStore store, ValueCodec codec, RedisSupervisor redis, Executor background) {
    this.cacheName = Objects.requireNonNull(cacheName, "cacheName");
    this.near = near;
    this.journal = new Journal<>(journalSize);
    this.onUnavailable = Objects.requireNonNull(onUnavailable, "onUnavailable");
    this.store = Objects.requireNonNull(store, "store");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.redis = Objects.requireNonNull(redis, "redis");
    this.background = Objects.requireNonNull(background, "background");
  }

  /**
   * Makes the feed carry invalidations for the near cache (when there is one), and waits up to {@code
   * timeout} for it to be in sync, so a cache serves from its near cache from its first call.
   */
  void follow(ChangeFeed feed, Duration timeout) {
    this.feed = feed;
    if (near == null) {
      return;
    }
    // Redis away: nothing to wait for; the near cache fills once it is back (a framework that creates its
    // caches on first use would otherwise wait twice the timeout per cache).
    Duration wait = redis.state() == SupervisorState.AVAILABLE ? timeout : Duration.ZERO;
    feed.carryInvalidations(this::beat, near.config().beaconInterval(), wait);
    long end = System.nanoTime() + wait.toNanos();
    while (!near.inSync() && System.nanoTime() - end < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    if (!near.inSync()) {
      log.info("cache {}: its near cache is not in sync yet (Redis is slow or away); it fills once it is",
          cacheName);
    }
  }

  @Nullable NearCache<Object> near() {
    return near;
  }

  OnUnavailable onUnavailable() {
    return onUnavailable;
  }

  Journal<EncodedKey> journal() {
    return journal;
  }

  /** The near cache's key: a {@code String} key as it is, any other by its encoded form. */
  static Object nearKey(Object key, EncodedKey k) {
    return key instanceof String ? key : k;
  }

  private static Object nearKey(EncodedKey k) {
    String s = k.asString();
    return s != null ? s : k;
  }

  private EncodedKey encoded(Object nearKey) {
    return nearKey instanceof EncodedKey k ? k : codec.encodeKey(nearKey);
  }

  /**
   * What a near cache keeps of a value besides its bytes, to hand out without reading them again: an
   * immutable JDK value itself (shared), a {@code byte[]} as a copy (handed out as a copy again, see {@link
   * #handOut}); null for anything else, which each hit reads back from the bytes, as store-by-value asks.
   */
  static @Nullable Object keepable(Object value) {
    if (value instanceof byte[] b) {
      return b.clone();
    }
    return IMMUTABLE.contains(value.getClass()) ? value : null;
  }

  /** What a hit hands out of what {@link #keepable} kept: the caller never holds the near cache's own array. */
  static Object handOut(Object kept) {
    return kept instanceof byte[] b ? b.clone() : kept;
  }

  // ---------------------------------------------------------------- what the cache tells

  /** Taken before a write of {@code nk} is sent; handed to {@link #wrote}. */
  long ticket(Object nk) {
    return near == null ? NearCache.NO_FILL : near.ticket(nk);
  }

  /**
   * This JVM wrote {@code nk} (Redis answered, with {@code version}); {@code ttl} is the TTL the write set,
   * {@link RedisStore#KEEP} when it kept one unknown here; {@code ticket} and {@code since} were taken
   * before the write was sent ({@link #ticket}, {@link NearCache#now()}).
   */
  void wrote(Object nk, long ticket, byte[] bytes, Object value, long version, long ttl, long since) {
    if (near == null) {
      return;
    }
    if (ttl == RedisStore.KEEP || ttl == RedisStore.EXPIRED || version <= 0) {
      near.invalidate(nk);
    } else {
      near.written(nk, ticket, bytes, keepable(value), version, ttl, since);
    }
  }

  /** This JVM changed {@code nk} another way (or may have): the near cache drops it. */
  void changed(Object nk) {
    if (near != null) {
      near.invalidate(nk);
    }
  }

  /**
   * A write or remove of {@code k} failed for want of Redis: no local entry may claim a value, and Redis
   * must lose the key's old value before the cache serves again.
   */
  void writeFailed(Object nk, EncodedKey k) {
    journal.add(k); // first: a read that passes the journal after this drop finds the key owed
    changed(nk);
    overflowed();
  }

  /** A clear failed for want of Redis: the whole cache is owed. */
  void clearFailed() {
    journal.addEverything(); // first: a read that passes the journal after this drop finds the clear owed
    if (near != null) {
      near.dropAll(false);
    }
    overflowed();
  }

  /**
   * Redis went away, or a write of another cache failed, and this cache is derived from what such writes record
   * ({@code clearAfterOutage}): it owes a clear, and answers nothing until it is made.
   */
  void owesClear(String why) {
    boolean first = !journal.overflowed();
    journal.addEverything(); // first, as in clearFailed
    if (near != null) {
      near.dropAll(false);
    }
    if (first && !overflowLogged) {
      overflowLogged = true;
      log.info("cache {}: {}; it answers nothing until it is cleared in Redis (clearAfterOutage), once Redis"
          + " answers", cacheName, why);
    }
  }

  private void overflowed() {
    if (journal.overflowed() && !overflowLogged) {
      overflowLogged = true;
      log.warn("cache {}: more writes failed during the outage than its journal holds (journalSize), or a clear"
          + " did; the whole cache will be cleared in Redis once it is back, before it serves again", cacheName);
    }
  }

  /** Another JVM changed an entry. */
  void changedElsewhere(ChangeFeed.Change change) {
    if (near == null) {
      return;
    }
    EncodedKey k = store.keyOf(change.redisKey());
    if (k != null) {
      near.invalidated(nearKey(k), change.version());
    }
  }

  /** The epoch moved on: a clear, here or elsewhere; {@code missed}: found by reading it, not by its message. */
  void epochMoved(boolean missed) {
    if (near != null) {
      near.dropAll(missed);
    }
  }

  /** Invalidations may have been missed from now on. */
  void lost(String why) {
    if (near == null) {
      return;
    }
    lostAt = System.nanoTime();
    boolean was = near.inSync();
    near.syncLost();
    confirmAt = 0;
    if (was) {
      log.debug("cache {}: the near cache is out of sync ({}); it serves for {} at most", cacheName, why,
          near.config().staleness());
    }
  }

  // ---------------------------------------------------------------- recovery

  /**
   * What Redis is owed before {@code k} is used: its journalled removal (or the whole cache's clear), now.
   * Completed at once when nothing is owed.
   */
  CompletionStage<?> owedBefore(EncodedKey k) {
    if (journal.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (journal.overflowed()) {
      // Again once it is made: a clear already running may have been marked before a later failure.
      return clearOwed().thenCompose(done -> owedBefore(k));
    }
    long stamp = journal.stampOf(k);
    if (stamp == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return removeOwed(k, stamp);
  }

  /** Removes {@code k} from Redis for the failure stamped {@code stamp}; then the near cache drops it too. */
  private CompletionStage<?> removeOwed(EncodedKey k, long stamp) {
    return store.remove(k, false).thenRun(() -> {
      // After the removal, not before: a write of k that this removal overtook in Redis is gone, so no near
      // entry may keep it.
      changed(nearKey(k));
      journal.settled(k, stamp);
      journal.replayed(1);
    });
  }

  /** One clear at a time, however many calls find the journal overflowed. */
  private synchronized CompletionStage<?> clearOwed() {
    CompletableFuture<?> running = clearing;
    if (running != null && !running.isDone()) {
      return running;
    }
    long mark = journal.mark();
    CompletableFuture<?> next = store.clear().thenRun(() -> {
      journal.clearedAll(mark);
      journal.replayed(1);
      if (near != null) {
        near.dropAll(true);
      }
      overflowLogged = false;
      log.info("cache {}: cleared in Redis after the outage (its journal had overflowed, a clear had failed, or"
          + " it is cleared after every outage)", cacheName);
    }).toCompletableFuture();
    clearing = next;
    return next;
  }

  /** Removes from Redis every journalled key (or clears the cache); fails if Redis does not answer. */
  private void replay() {
    synchronized (replay) {
      if (journal.isEmpty()) {
        return;
      }
      if (journal.overflowed()) {
        clearOwed().toCompletableFuture().join();
        return;
      }
      Map<EncodedKey, Long> owed = journal.owed();
      List<CompletableFuture<?>> removals = new ArrayList<>(owed.size());
      owed.forEach((k, stamp) -> removals.add(removeOwed(k, stamp).toCompletableFuture()));
      CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).join();
      log.info("cache {}: removed {} keys from Redis whose write or remove had failed during the outage",
          cacheName, owed.size());
    }
  }

  /**
   * At each beacon sent and each received: notices a beacon overdue (sync lost), and starts what is owed
   * once the beacon comes back after this manager registered again, and Redis is available.
   */
  void beat() {
    ChangeFeed f = feed;
    if (near == null || f == null) {
      return;
    }
    near.tick();
    long era = near.era(); // before the checks: a loss after them moves it, and the reconciliation then fails
    long echo = f.lastEcho();
    long now = System.nanoTime();
    boolean available = redis.state() == SupervisorState.AVAILABLE;
    if (near.inSync()) {
      long overdue = 3 * beacon();
      if (now - echo > overdue) {
        lost("its own beacon did not come back for " + overdue / 1_000_000 + " ms");
        return;
      }
      long confirm = confirmAt;
      if (confirm != 0 && now - confirm > 0 && available) {
        reconcileInBackground(era, true);
      }
    }
    if (!journal.isEmpty() && available) {
      replayInBackground();
    }
    if (near.inSync() || !available) {
      return;
    }
    long announced = f.lastAnnounced();
    if (announced - lostAt <= 0) {
      // Not registered and announced since the loss (a loss no event came with, or a registration that
      // failed): ask again, once a beacon period.
      if (now - resyncedAt > beacon()) {
        resyncedAt = now;
        f.resync();
      }
    } else if (echo - announced > 0) {
      reconcileInBackground(era, false);
    }
  }

  /** The beacon interval, in nanoseconds. */
  private long beacon() {
    return Objects.requireNonNull(near).config().beaconInterval().toNanos();
  }

  /** Redis may be back (the failure counter closed, a new client): settles the journal, near cache or not. */
  void available() {
    if (!journal.isEmpty()) {
      replayInBackground();
    }
    beat();
  }

  private void replayInBackground() {
    if (replaying.compareAndSet(false, true)) {
      run(replaying, () -> {
        try {
          replay();
        } catch (RuntimeException e) {
          log.debug("cache {}: replaying the journal failed, tried again later: {}", cacheName, e.toString());
        } finally {
          replaying.set(false);
        }
      });
    }
  }

  private void reconcileInBackground(long era, boolean confirming) {
    if (reconciling.compareAndSet(false, true)) {
      run(reconciling, () -> reconcile(era, confirming));
    }
  }

  /** Runs {@code task} in the background; if it cannot be, lets the next beat try again. */
  private void run(AtomicBoolean running, Runnable task) {
    try {
      background.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.set(false); // the manager is closing
    }
  }

  /**
   * Replays the journal, then drops every entry whose version in Redis changed; unless {@code confirming}
   * (sync is already restored), then ends the loss of sync, if none began meanwhile.
   */
  private void reconcile(long era, boolean confirming) {
    NearCache<Object> n = Objects.requireNonNull(near);
    try {
      if (!confirming) {
        store.refreshEpoch(); // a clear whose message the silent subscription lost: found, everything dropped
      }
      replay();
      Map<Object, Long> held = n.versions();
      int dropped = 0;
      if (!held.isEmpty()) {
        List<Object> keys = new ArrayList<>(held.keySet());
        Map<Object, Long> current = new HashMap<>();
        for (int from = 0; from < keys.size(); from += RECONCILE_BATCH) {
          List<Object> batch = keys.subList(from, Math.min(keys.size(), from + RECONCILE_BATCH));
          List<EncodedKey> encoded = new ArrayList<>(batch.size());
          for (Object nk : batch) {
            encoded.add(encoded(nk));
          }
          List<Long> versions = store.versions(encoded).toCompletableFuture().join();
          for (int i = 0; i < batch.size(); i++) {
            current.put(batch.get(i), versions.get(i));
          }
        }
        dropped = n.reconcile(held, current);
      }
      if (confirming) {
        confirmAt = 0;
        if (dropped > 0) {
          log.info("cache {}: the near cache dropped {} entries on its second look after the outage", cacheName,
              dropped);
        }
      } else if (n.syncRestored(era)) {
        // Once more after a registry period: a writer that missed our announcement reads the registry by then.
        confirmAt = System.nanoTime() + ChangeFeed.RENEWAL.toNanos() + 2 * beacon();
        if (!held.isEmpty()) {
          log.info("cache {}: the near cache is in sync again; it dropped {} of its {} entries, which changed in"
              + " Redis meanwhile", cacheName, dropped, held.size());
        }
      }
    } catch (RuntimeException e) {
      log.debug("cache {}: reconciling the near cache failed, tried again at the next beacon: {}", cacheName,
          e.toString());
    } finally {
      reconciling.set(false);
    }
  }
}
