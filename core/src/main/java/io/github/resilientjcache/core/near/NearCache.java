package io.github.resilientjcache.core.near;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * A Caffeine tier in front of one Redis-backed cache. Each entry holds the value's bytes (and, for an
 * immutable value, the instance, shared), the entry's version in Redis, and a deadline: no later than the
 * entry's in Redis, nor than {@code maximumAge} after it was read or written.
 *
 * <p>How it stays right:
 *
 * <ul>
 *   <li>Every change to a key (another JVM's invalidation, this JVM's write, a reconciliation) moves one of
 *       {@value #STRIPES} counters, chosen by the key's hash. A value read from Redis, or written by this
 *       JVM, is kept only if its key's counter did not move since {@link #ticket} was taken before the call
 *       was sent: so neither a read nor a write whose reply arrives after another JVM's newer change (whose
 *       message may arrive first) can put back an older value, and no tombstone is needed. A moved counter of
 *       another key that shares the stripe costs one refill.
 *   <li>Versions only grow in Redis, so a change drops an entry only if it is older, and an entry is
 *       replaced only by a newer one.
 *   <li>While invalidations may be missed ({@link #syncLost}: an outage, a lost connection, a silent
 *       subscription) entries are served for {@code staleness} at most, counted as stale hits, and nothing
 *       new is kept. {@link #reconcile} then drops what changed, or {@link #dropAll} everything, and
 *       {@link #syncRestored(long)} ends it, unless sync was lost again meanwhile (the era says).
 * </ul>
 *
 * @param <K> the key as the cache above keys it (an immutable key itself, or its encoded form)
 */
public final class NearCache<K> {

  /** How many counters guard fills: a power of two. */
  static final int STRIPES = 1024;
  /** A ticket meaning: keep nothing this call finds. */
  public static final long NO_FILL = -1;
  /** A TTL meaning: the entry lives in Redis for ever (only {@code maximumAge} bounds it here). */
  public static final long ETERNAL = -1;

  /**
   * What the near cache holds for a key: the value's bytes, and what the cache above may hand out without
   * reading them ({@code shared}: an immutable instance, or an array it copies on each hit), or null.
   *
   * @param deadline when it stops being served, by the ticker
   */
  public record Entry(byte[] bytes, @Nullable Object shared, long version, long deadline) {}

  private final NearCacheConfig config;
  private final Ticker ticker;
  private final Cache<K, Entry> entries;
  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
  private final NearCacheStatistics statistics = new NearCacheStatistics();
  private final long maximumAgeNanos;
  private final long stalenessNanos;
  /**
   * Moved by every loss of sync, every return to it and every drop of everything: a ticket of an earlier
   * era keeps nothing, and a reconciliation begun in an earlier era does not end the loss. Guarded by this.
   */
  private volatile long era;
  private volatile boolean inSync;
  /** When sync was lost, by the ticker; meaningful while not in sync. */
  private volatile long lostAt;
  /** Whether entries may carry a TTL from Redis: then Caffeine expires each at its deadline, exactly. */
  private final boolean followsTtls;
  /**
   * The ticker as of the last {@link #tick()}: what {@code maximumAge} is checked against when no entry
   * carries a TTL of its own, so a hit reads no clock.
   */
  private volatile long coarseNow;

  /**
   * A near cache not yet in sync: it keeps nothing until {@link #syncRestored(long)}.
   *
   * @param followsTtls whether entries may carry a TTL from Redis (a cache with an expiry policy): each is
   *     then expired at its deadline exactly, which costs a clock read per hit; else only {@code maximumAge}
   *     bounds them, checked to within the period of {@link #tick()}
   */
  public NearCache(NearCacheConfig config, Ticker ticker, boolean followsTtls) {
    this.config = Objects.requireNonNull(config, "config");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.followsTtls = followsTtls;
    this.maximumAgeNanos = config.maximumAge().toNanos();
    this.stalenessNanos = config.staleness().toNanos();
    // An absolute deadline, not a duration: Caffeine asks again after every compute, even one that keeps
    // the entry it had, and a duration would restart the entry's life each time.
    Expiry<K, Entry> life = new Expiry<>() {
      @Override
      public long expireAfterCreate(K key, Entry e, long now) {
        return e.deadline() - now;
      }

      @Override
      public long expireAfterUpdate(K key, Entry e, long now, long current) {
        return e.deadline() - now;
      }

      @Override
      public long expireAfterRead(K key, Entry e, long now, long current) {
        return current;
      }
    };
    Caffeine<Object, Object> b = Caffeine.newBuilder().ticker(ticker);
    if (config.maximumWeight() > 0) {
      Caffeine<K, Entry> weighed = b.maximumWeight(config.maximumWeight()).<K, Entry>weigher(NearCache::weight);
      this.entries = followsTtls ? weighed.expireAfter(life).build() : weighed.build();
    } else {
      b.maximumSize(config.maximumSize());
      this.entries = followsTtls ? b.expireAfter(life).build() : b.<K, Entry>build();
    }
    this.lostAt = ticker.read();
    this.coarseNow = lostAt;
  }

  /** Moves the clock {@code maximumAge} is checked against when entries carry no TTL (every second or so). */
  public void tick() {
    coarseNow = ticker.read();
  }

  public NearCacheConfig config() {
    return config;
  }

  public NearCacheStatistics statistics() {
    return statistics;
  }

  /** Now, by the ticker: what {@code since} arguments are taken from. */
  public long now() {
    return ticker.read();
  }

  /**
   * The entry to answer a read with, or null: absent, or held longer than the staleness bound allows since
   * sync was lost. Counted as a hit, a stale hit or a miss.
   */
  public @Nullable Entry get(K key) {
    Entry e = entries.getIfPresent(key);
    if (e == null || (!followsTtls && e.deadline() - coarseNow < 0)) {
      statistics.misses.increment();
      return null;
    }
    if (inSync) {
      statistics.hits.increment();
      return e;
    }
    if (ticker.read() - lostAt <= stalenessNanos) {
      statistics.staleHits.increment();
      return e;
    }
    statistics.misses.increment();
    return null;
  }

  /** Whether {@link #get} would answer for {@code key}; counts nothing. */
  public boolean answers(K key) {
    Entry e = entries.getIfPresent(key);
    return e != null && (followsTtls || e.deadline() - coarseNow >= 0)
        && (inSync || ticker.read() - lostAt <= stalenessNanos);
  }

  /** Whether an entry is held for {@code key} (whatever the staleness bound says); counts nothing. */
  public boolean holds(K key) {
    return entries.getIfPresent(key) != null;
  }

  /** Taken before a call on {@code key} is sent to Redis, handed to {@link #fill} or {@link #written} after. */
  public long ticket(K key) {
    long e = era; // before inSync: a loss that begins now moves the era, and the ticket is then refused
    if (!inSync) {
      return NO_FILL;
    }
    return stamp(e, stripe(key));
  }

  private long stamp(long e, int stripe) {
    return (e << 32) | (stripes.get(stripe) & 0xFFFF_FFFFL);
  }

  private boolean current(long ticket, int stripe) {
    return ticket != NO_FILL && inSync && ticket == stamp(era, stripe);
  }

  /**
   * Keeps what a read found, unless a change to the key, a loss of sync or a drop of everything crossed the
   * read (the ticket says), or the entry held is as new.
   *
   * @param ttlMillis what Redis said is left of the entry's life, or {@link #ETERNAL}
   * @param since when the read was sent, by the ticker: the entry's life here is counted from then
   */
  public void fill(K key, long ticket, byte[] bytes, @Nullable Object shared, long version, long ttlMillis,
      long since) {
    int stripe = stripe(key);
    long deadline = deadline(ttlMillis, since);
    if (!current(ticket, stripe) || deadline - ticker.read() <= 0) {
      statistics.fillsRefused.increment();
      return;
    }
    Entry mine = new Entry(bytes, shared, version, deadline);
    Entry kept = entries.asMap().compute(key, (k, held) -> {
      if (!current(ticket, stripe)) {
        statistics.fillsRefused.increment();
        return held;
      }
      return held != null && held.version() >= version && live(held) ? held : mine;
    });
    undoIfCrossed(key, kept == mine ? mine : null, ticket, stripe);
  }

  /** Whether an entry is within its deadline (Caffeine expires it then when following TTLs; else we do). */
  private boolean live(Entry e) {
    return e.deadline() - (followsTtls ? ticker.read() : coarseNow) > 0;
  }

  /**
   * Takes back an entry a compute just put in, if the era moved meanwhile: a drop of everything that ran
   * while the compute did can miss it (Caffeine's {@code invalidateAll} does not wait for a compute).
   */
  private void undoIfCrossed(K key, @Nullable Entry put, long ticket, int stripe) {
    if (put != null && !current(ticket, stripe)) {
      entries.asMap().remove(key, put);
    }
  }

  /**
   * This JVM wrote {@code key} in Redis, which gave it {@code version} and {@code ttlMillis} (or {@link
   * #ETERNAL}), for a write sent at {@code since} with {@code ticket} taken just before: read-your-writes
   * from now on. If anything crossed the write (another JVM's change, whose message may come before this
   * reply), the entry is dropped instead: which of the two came last is not known here.
   */
  public void written(K key, long ticket, byte[] bytes, @Nullable Object shared, long version, long ttlMillis,
      long since) {
    int stripe = stripe(key);
    long deadline = deadline(ttlMillis, since);
    Entry mine = new Entry(bytes, shared, version, deadline);
    Entry kept = entries.asMap().compute(key, (k, held) -> {
      if (!current(ticket, stripe) || ttlMillis == 0 || deadline - ticker.read() <= 0) {
        return null;
      }
      return held != null && held.version() > version && live(held) ? held : mine;
    });
    undoIfCrossed(key, kept == mine ? mine : null, ticket, stripe);
    stripes.incrementAndGet(stripe); // after: a read that began before this write keeps nothing
  }

  /**
   * The key changed in a way whose outcome is not known here, or cannot be kept (a write that failed or
   * kept an unknown TTL, a write another way): drop it, and keep no call that crossed this.
   */
  public void invalidate(K key) {
    stripes.incrementAndGet(stripe(key));
    entries.invalidate(key);
  }

  /** Another JVM changed {@code key} to {@code version} (or removed it then): drop what is older. */
  public void invalidated(K key, long version) {
    statistics.invalidationsReceived.increment();
    stripes.incrementAndGet(stripe(key));
    boolean[] applied = {false};
    entries.asMap().computeIfPresent(key, (k, held) -> {
      if (held.version() < version) {
        applied[0] = true;
        return null;
      }
      return held;
    });
    if (applied[0]) {
      statistics.invalidationsApplied.increment();
    }
  }

  /**
   * Drops every entry, and keeps no call begun before: a clear, or ({@code reconciliation}) a change that
   * could not be known, counted as a full reconciliation.
   */
  public void dropAll(boolean reconciliation) {
    synchronized (this) {
      era++;
    }
    long n = entries.estimatedSize();
    entries.invalidateAll();
    if (reconciliation) {
      statistics.fullReconciliations.increment();
      statistics.fullDrops.add(n);
    }
  }

  /**
   * Invalidations may be missed from now on: entries are served for the staleness bound at most, and
   * nothing new is kept until {@link #syncRestored(long)}.
   */
  public synchronized void syncLost() {
    era++;
    if (inSync) {
      lostAt = ticker.read();
      inSync = false;
    }
  }

  /** Whether invalidations arrive (as far as this JVM knows). */
  public boolean inSync() {
    return inSync;
  }

  /** The era now: taken when a reconciliation begins, handed to {@link #syncRestored(long)} at its end. */
  public long era() {
    return era;
  }

  /**
   * Ends the loss of sync, if nothing moved the era since {@code begun} (another loss, a drop of
   * everything): true if it did.
   */
  public synchronized boolean syncRestored(long begun) {
    if (era != begun) {
      return false;
    }
    era++; // no ticket taken while out of sync, or before, keeps anything
    inSync = true;
    return true;
  }

  /** The versions of every entry held now: what a reconciliation asks Redis about. */
  public Map<K, Long> versions() {
    Map<K, Long> out = new HashMap<>();
    entries.asMap().forEach((k, e) -> out.put(k, e.version()));
    return out;
  }

  /**
   * Drops each entry whose version in Redis ({@code current}, 0 for none) is not the one it held when
   * {@link #versions()} was taken, unless it was replaced since. Returns how many were dropped.
   */
  public int reconcile(Map<K, Long> held, Map<K, Long> current) {
    int dropped = 0;
    for (Map.Entry<K, Long> h : held.entrySet()) {
      long now = current.getOrDefault(h.getKey(), 0L);
      if (now == h.getValue()) {
        continue;
      }
      stripes.incrementAndGet(stripe(h.getKey()));
      boolean[] gone = {false};
      entries.asMap().computeIfPresent(h.getKey(), (k, e) -> {
        if (e.version() == h.getValue()) {
          gone[0] = true;
          return null;
        }
        return e;
      });
      if (gone[0]) {
        dropped++;
      }
    }
    statistics.partialReconciliations.increment();
    statistics.partialDrops.add(dropped);
    return dropped;
  }

  /** How many entries are held (an estimate, as Caffeine gives it). */
  public long size() {
    return entries.estimatedSize();
  }

  private long deadline(long ttlMillis, long since) {
    long ttl = ttlMillis < 0 ? maximumAgeNanos : Math.min(maximumAgeNanos, ttlMillis * 1_000_000L);
    return since + ttl;
  }

  /** The bytes an entry holds: its serialized value, and a {@code byte[]} it keeps decoded too. */
  private static int weight(Object key, Entry e) {
    return e.bytes().length + (e.shared() instanceof byte[] b ? b.length : 0);
  }

  private static int stripe(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }

  @Override
  public String toString() {
    return "NearCache[" + entries.estimatedSize() + " entries, " + (inSync ? "in sync" : "out of sync") + "]";
  }
}
