package io.github.resilientjcache.jcache.event;

import javax.cache.Cache;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import org.jspecify.annotations.Nullable;

/**
 * One change to one entry, as listeners see it. A removal's value is the value removed (its old value too);
 * an update carries its old value when the cache had it.
 */
public final class EntryEvent<K, V> extends CacheEntryEvent<K, V> {

  private static final long serialVersionUID = 1L;

  private final K key;
  private final @Nullable V value;
  private final @Nullable V oldValue;
  private final boolean remote;

  private EntryEvent(Cache<K, V> source, EventType type, K key, @Nullable V value, @Nullable V oldValue,
      boolean remote) {
    super(source, type);
    this.key = key;
    this.value = value;
    this.oldValue = oldValue;
    this.remote = remote;
  }

  public static <K, V> EntryEvent<K, V> created(Cache<K, V> source, K key, V value) {
    return new EntryEvent<>(source, EventType.CREATED, key, value, null, false);
  }

  public static <K, V> EntryEvent<K, V> updated(Cache<K, V> source, K key, V value, @Nullable V oldValue) {
    return new EntryEvent<>(source, EventType.UPDATED, key, value, oldValue, false);
  }

  public static <K, V> EntryEvent<K, V> removed(Cache<K, V> source, K key, @Nullable V oldValue) {
    return new EntryEvent<>(source, EventType.REMOVED, key, oldValue, oldValue, false);
  }

  /** An event another JVM's change sent here through Redis. */
  public static <K, V> EntryEvent<K, V> remote(Cache<K, V> source, EventType type, K key, @Nullable V value,
      @Nullable V oldValue) {
    return new EntryEvent<>(source, type, key, value, oldValue, true);
  }

  @Override
  public K getKey() {
    return key;
  }

  @Override
  public @Nullable V getValue() {
    return value;
  }

  @Override
  public @Nullable V getOldValue() {
    return oldValue;
  }

  @Override
  public boolean isOldValueAvailable() {
    return oldValue != null;
  }

  /** Whether the change was made by another JVM (or another manager of this one). */
  public boolean isRemote() {
    return remote;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isInstance(this)) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("a cache entry event unwraps to " + getClass().getName() + ", not to "
        + clazz.getName());
  }

  @Override
  public String toString() {
    return "EntryEvent[" + getEventType() + " " + key + (remote ? ", remote" : "") + "]";
  }
}
