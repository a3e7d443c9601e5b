package io.github.resilientjcache.jcache;

import io.github.resilientjcache.core.RedisAuthenticationException;
import io.github.resilientjcache.core.RedisUnavailableException;
import io.github.resilientjcache.core.ResilientRedisException;
import io.github.resilientjcache.jcache.store.KeyLayout.EncodedKey;
import io.github.resilientjcache.jcache.store.RedisStore;
import io.github.resilientjcache.jcache.store.ValueCodec;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Cache} whose entries live in Redis, one key each, every call through the manager's supervisor:
 * when the Redis client is rebuilt after a failover this same object works on, with nothing to rebind.
 * Store-by-value: keys and values are serialized on the way in and read back as new objects.
 *
 * <p>Not yet built (the provider's issue says so): cache entry listeners, read-through and write-through,
 * statistics and the management beans. A configuration that asks for one of them is refused by
 * {@link ResilientCacheManager#createCache} rather than silently ignored.
 */
public final class ResilientCache<K, V> implements Cache<K, V> {

  private static final int SCAN_PAGE = 500;
  private static final int INVOKE_ATTEMPTS = 16;
  /** Turns for invoke on a key, shared by the caches of this JVM: a few dozen stripes are plenty. */
  private static final java.util.concurrent.locks.Lock[] INVOKE_TURNS = newTurns(64);

  private final String name;
  private final ResilientCacheManager manager;
  private final MutableConfiguration<K, V> configuration;
  private final RedisStore store;
  private final ValueCodec codec;
  private final Expiry expiry;
  private volatile boolean closed;

  ResilientCache(String name, ResilientCacheManager manager, MutableConfiguration<K, V> configuration,
      RedisStore store, ValueCodec codec) {
    this.name = name;
    this.manager = manager;
    this.configuration = configuration;
    this.store = store;
    this.codec = codec;
    this.expiry = new Expiry(configuration.getExpiryPolicyFactory().create());
  }

  // ---------------------------------------------------------------- reads

  @Override
  public @Nullable V get(K key) {
    EncodedKey k = key(key);
    RedisStore.Found found = await(store.get(k, expiry.isFixed() ? expiry.access() : RedisStore.KEEP));
    if (found == null) {
      return null;
    }
    if (!expiry.isFixed()) {
      long ttl = expiry.access();
      if (ttl != RedisStore.KEEP) {
        await(store.get(k, ttl));
      }
    }
    return value(found.value());
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Map<K, V> found = new LinkedHashMap<>();
    for (K key : keys) {
      V v = get(Objects.requireNonNull(key, "a key in keys"));
      if (v != null) {
        found.put(key, v);
      }
    }
    return found;
  }

  @Override
  public boolean containsKey(K key) {
    return await(store.contains(key(key)));
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    write(key, value, false);
  }

  @Override
  public @Nullable V getAndPut(K key, V value) {
    RedisStore.Before before = write(key, value, true);
    return before.existed() && before.oldValue() != null ? value(before.oldValue()) : null;
  }

  private RedisStore.Before write(K key, V value, boolean returnOld) {
    EncodedKey k = key(key);
    byte[] bytes = bytes(value);
    if (expiry.isFixed()) {
      return await(store.put(k, bytes, expiry.creation(), expiry.update(), returnOld));
    }
    // Ask the policy only what applies: whether this is a creation or an update.
    long ttl = await(store.contains(k)) ? expiry.update() : expiry.creation();
    return await(store.put(k, bytes, ttl == RedisStore.KEEP ? RedisStore.ETERNAL : ttl, ttl, returnOld));
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    checkOpen();
    Objects.requireNonNull(map, "map");
    Map<K, V> checked = new HashMap<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      checked.put(Objects.requireNonNull(e.getKey(), "a key in map"), Objects.requireNonNull(e.getValue(),
          "a value in map"));
    }
    checked.forEach(this::put);
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    EncodedKey k = key(key);
    return await(store.putIfAbsent(k, bytes(value), expiry.creation()));
  }

  @Override
  public boolean remove(K key) {
    return await(store.remove(key(key), null, false)).existed();
  }

  @Override
  public boolean remove(K key, V oldValue) {
    EncodedKey k = key(key);
    return await(store.remove(k, bytes(oldValue), false)).existed();
  }

  @Override
  public @Nullable V getAndRemove(K key) {
    RedisStore.Before before = await(store.remove(key(key), null, true));
    return before.existed() ? value(Objects.requireNonNull(before.oldValue())) : null;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    EncodedKey k = key(key);
    byte[] expected = bytes(oldValue);
    return await(store.replace(k, bytes(newValue), expiry.update(), expected, false)).existed();
  }

  @Override
  public boolean replace(K key, V value) {
    EncodedKey k = key(key);
    return await(store.replace(k, bytes(value), expiry.update(), null, false)).existed();
  }

  @Override
  public @Nullable V getAndReplace(K key, V value) {
    EncodedKey k = key(key);
    RedisStore.Before before = await(store.replace(k, bytes(value), expiry.update(), null, true));
    return before.existed() ? value(Objects.requireNonNull(before.oldValue())) : null;
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys");
    }
    keys.forEach(this::remove);
  }

  /** Removes every entry one by one (as the spec wants, so that each removal is seen); see {@link #clear()}. */
  @Override
  public void removeAll() {
    checkOpen();
    for (EncodedKey k : keysNow()) {
      await(store.remove(k, null, false));
    }
  }

  /** Empties the cache in one round trip, whatever its size. */
  @Override
  public void clear() {
    checkOpen();
    await(store.clear());
  }

  // ---------------------------------------------------------------- processors

  /**
   * Runs the processor in this JVM on the entry as read, then writes with a compare-and-set on the entry's
   * version, again on conflict. Invocations on one key in this JVM take turns (a striped lock), so they never
   * conflict with each other; a conflict means another writer (another JVM, or a plain put), and the next
   * attempt waits a jittered moment.
   */
  @Override
  public <T> @Nullable T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    EncodedKey k = key(key);
    java.util.concurrent.locks.Lock turn = INVOKE_TURNS[Math.floorMod(k.hashCode(), INVOKE_TURNS.length)];
    turn.lock();
    try {
      return invokeOnce(key, k, entryProcessor, arguments);
    } finally {
      turn.unlock();
    }
  }

  private <T> @Nullable T invokeOnce(K key, EncodedKey k, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    for (int attempt = 0; attempt < INVOKE_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        long ceiling = Math.min(20_000_000L, 250_000L << Math.min(attempt, 6));
        java.util.concurrent.locks.LockSupport.parkNanos(
            java.util.concurrent.ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling));
      }
      RedisStore.Found found = await(store.get(k, RedisStore.KEEP));
      Entry<K, V> entry = new Entry<>(key, found == null ? null : value(found.value()));
      T result;
      try {
        result = entryProcessor.process(entry, arguments);
      } catch (Exception e) {
        throw new EntryProcessorException(e);
      }
      if (!entry.changed) {
        return result;
      }
      long version = found == null ? 0 : found.version();
      byte[] value = entry.value == null ? null : bytes(entry.value);
      if (await(store.changeIfVersion(k, version, value, expiry.creation(), expiry.update()))) {
        return result;
      }
      // Another writer changed the entry between the read and the write: run the processor again on it.
    }
    throw new CacheException("cache " + name + ": invoke gave up after " + INVOKE_ATTEMPTS
        + " attempts, the entry kept changing under it");
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T r = invoke(key, entryProcessor, arguments);
        if (r != null) {
          results.put(key, () -> r);
        }
      } catch (EntryProcessorException e) {
        results.put(key, () -> {
          throw e;
        });
      }
    }
    return results;
  }

  /** The entry a processor sees: its value as read, and what it did to it. */
  private static final class Entry<K, V> implements MutableEntry<K, V> {
    private final K key;
    private @Nullable V value;
    private boolean changed;

    Entry(K key, @Nullable V value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public boolean exists() {
      return value != null;
    }

    @Override
    public void remove() {
      changed = value != null || changed;
      value = null;
    }

    @Override
    public void setValue(V v) {
      value = Objects.requireNonNull(v, "value");
      changed = true;
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
    public <T> T unwrap(Class<T> clazz) {
      throw new IllegalArgumentException("a processor's entry unwraps to nothing, not to " + clazz.getName());
    }
  }

  // ---------------------------------------------------------------- not yet

  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues, CompletionListener completionListener) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    if (completionListener != null) {
      completionListener.onCompletion(); // no loader: nothing to load (read-through is refused at creation)
    }
  }

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    throw new UnsupportedOperationException("cache " + name + ": cache entry listeners are not supported yet");
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    throw new UnsupportedOperationException("cache " + name + ": cache entry listeners are not supported yet");
  }

  // ---------------------------------------------------------------- the rest of the API

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    if (clazz.isInstance(configuration)) {
      return clazz.cast(new MutableConfiguration<>(configuration));
    }
    throw new IllegalArgumentException("cache " + name + " has no configuration of type " + clazz.getName());
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.closed(this);
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> clazz) {
    if (clazz.isAssignableFrom(getClass())) {
      return clazz.cast(this);
    }
    throw new IllegalArgumentException("cache " + name + " unwraps to " + getClass().getName() + ", not to "
        + clazz.getName());
  }

  /** Entries as they are while iterating: one SCAN page of keys at a time, each value read as it is reached. */
  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    checkOpen();
    Iterator<EncodedKey> keys = keysNow().iterator();
    return new Iterator<>() {
      private Cache.@Nullable Entry<K, V> next;
      private @Nullable EncodedKey last;

      @Override
      public boolean hasNext() {
        while (next == null && keys.hasNext()) {
          EncodedKey k = keys.next();
          RedisStore.Found f = await(store.get(k, RedisStore.KEEP));
          if (f != null) {
            @SuppressWarnings("unchecked")
            K key = (K) codec.decodeKey(k);
            next = new SimpleEntry<>(key, value(f.value()));
            last = k;
          }
        }
        return next != null;
      }

      @Override
      public Cache.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Cache.Entry<K, V> e = Objects.requireNonNull(next);
        next = null;
        return e;
      }

      @Override
      public void remove() {
        EncodedKey k = last;
        if (k == null) {
          throw new IllegalStateException("next() has not returned an entry to remove");
        }
        last = null;
        await(store.remove(k, null, false));
      }
    };
  }

  private Iterable<EncodedKey> keysNow() {
    try {
      return store.keys(SCAN_PAGE);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** An entry read from the cache: a snapshot, never written through. */
  private record SimpleEntry<K, V>(K key, V value) implements Cache.Entry<K, V> {
    @Override
    public K getKey() {
      return key;
    }

    @Override
    public V getValue() {
      return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      if (clazz.isInstance(this)) {
        return clazz.cast(this);
      }
      throw new IllegalArgumentException("a cache entry unwraps to nothing, not to " + clazz.getName());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static java.util.concurrent.locks.Lock[] newTurns(int n) {
    java.util.concurrent.locks.Lock[] locks = new java.util.concurrent.locks.Lock[n];
    for (int i = 0; i < n; i++) {
      locks[i] = new java.util.concurrent.locks.ReentrantLock();
    }
    return locks;
  }

  CompleteConfiguration<K, V> configuration() {
    return configuration;
  }

  RedisStore store() {
    return store;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("cache " + name + " is closed");
    }
  }

  private EncodedKey key(K key) {
    checkOpen();
    Objects.requireNonNull(key, "key");
    return codec.encodeKey(key);
  }

  private byte[] bytes(V value) {
    Objects.requireNonNull(value, "value");
    return codec.encodeValue(value);
  }

  @SuppressWarnings("unchecked")
  private V value(byte[] bytes) {
    return (V) codec.decodeValue(bytes);
  }

  /** Waits for the store, whose calls end at the supervisor's deadline; Redis failures become cache ones. */
  private <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw translate(e.getCause());
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  private RuntimeException translate(@Nullable Throwable t) {
    if (t instanceof RedisUnavailableException u) {
      return new CacheUnavailableException("cache " + name + ": " + u.getMessage(), u);
    }
    if (t instanceof RedisAuthenticationException || t instanceof ResilientRedisException) {
      return new CacheException("cache " + name + ": " + t.getMessage(), t);
    }
    if (t instanceof CacheException ce) {
      return ce;
    }
    if (t instanceof RuntimeException re) {
      return new CacheException("cache " + name + ": " + re, re);
    }
    return new CacheException("cache " + name + ": " + t, t);
  }

  @Override
  public String toString() {
    return "ResilientCache[" + name + "]";
  }
}
