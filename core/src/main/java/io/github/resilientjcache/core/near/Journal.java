package io.github.resilientjcache.core.near;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The keys whose write or remove failed while Redis was away: Redis may still hold their old value, which
 * no JVM may read once the cache serves again, so each is removed from Redis first. Bounded: past its
 * capacity it keeps only the fact that it overflowed, and then the whole cache must be cleared instead.
 *
 * <p>Every addition gets a stamp. A removal settles a key only for the stamp it was sent for ({@link
 * #owed()} gives them), so a write of the key that fails while the removal is on its way stays owed; a
 * clear settles what was owed when it was sent ({@link #mark()}). Thread-safe; empty, the check on the
 * read path is one volatile read.
 */
public final class Journal<K> {

  private final int capacity;
  /** Key -> the stamp of its latest failure, oldest first. */
  private final Map<K, Long> keys = new LinkedHashMap<>();
  private final LongAdder replays = new LongAdder();
  private long stamps;
  /** The stamp of the latest overflow, or 0 while none is owed. */
  private long overflowedAt;
  private volatile int size;
  private volatile boolean overflowed;

  public Journal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a journal holds at least 1 key but was given " + capacity);
    }
    this.capacity = capacity;
  }

  /** Remembers that {@code key}'s write failed; past the capacity, that the whole cache must be cleared. */
  public synchronized void add(K key) {
    long stamp = ++stamps;
    if (overflowed) {
      overflowedAt = stamp;
      return;
    }
    if (keys.size() >= capacity && !keys.containsKey(key)) {
      overflow(stamp);
      return;
    }
    keys.remove(key); // to the end: oldest first
    keys.put(key, stamp);
    size = keys.size();
  }

  /** A change to every key failed (a clear): only clearing the whole cache makes Redis safe again. */
  public synchronized void addEverything() {
    overflow(++stamps);
  }

  private void overflow(long stamp) {
    overflowed = true;
    overflowedAt = stamp;
    keys.clear();
    size = 0;
  }

  /** Whether nothing is owed to Redis. */
  public boolean isEmpty() {
    return size == 0 && !overflowed;
  }

  /** Whether more keys failed than it could hold: only clearing the whole cache makes Redis safe again. */
  public boolean overflowed() {
    return overflowed;
  }

  public boolean contains(K key) {
    if (size == 0) {
      return false;
    }
    synchronized (this) {
      return keys.containsKey(key);
    }
  }

  /** The stamp {@code key} is owed for, or 0 if it is not. */
  public synchronized long stampOf(K key) {
    Long s = keys.get(key);
    return s == null ? 0 : s;
  }

  /** The keys owed, oldest first, with their stamps (a copy). */
  public synchronized Map<K, Long> owed() {
    return new LinkedHashMap<>(keys);
  }

  /** {@code key} was removed from Redis by a removal sent for {@code stamp}: settled, unless it failed again. */
  public synchronized void settled(K key, long stamp) {
    Long s = keys.get(key);
    if (s != null && s <= stamp) {
      keys.remove(key);
      size = keys.size();
    }
  }

  /** A mark to pass to {@link #clearedAll(long)}, taken before the clear is sent. */
  public synchronized long mark() {
    return stamps;
  }

  /**
   * The whole cache was cleared in Redis, by a clear sent after {@code mark} was taken: what was owed then is
   * settled; what failed since stays owed (keys, or the whole cache if it overflowed since).
   */
  public synchronized void clearedAll(long mark) {
    keys.values().removeIf(s -> s <= mark);
    size = keys.size();
    if (overflowedAt <= mark) {
      overflowed = false;
      overflowedAt = 0;
    }
  }

  /** How many keys are owed (0 after an overflow, which {@link #overflowed()} tells). */
  public int size() {
    return size;
  }

  /** Counts {@code n} keys removed from Redis after recovery (a whole cache cleared counts as 1). */
  public void replayed(int n) {
    replays.add(n);
  }

  /** Keys removed from Redis after recovery, and clears made after an overflow. */
  public long replays() {
    return replays.sum();
  }

  @Override
  public String toString() {
    return overflowed ? "Journal[overflowed]" : "Journal[" + size + " keys]";
  }
}
