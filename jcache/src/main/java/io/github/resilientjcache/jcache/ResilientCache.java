package io.github.resilientjcache.jcache;

import io.github.resilientjcache.core.RedisAuthenticationException;
import io.github.resilientjcache.core.RedisUnavailableException;
import io.github.resilientjcache.core.ResilientRedisException;
import io.github.resilientjcache.core.near.NearCache;
import io.github.resilientjcache.core.near.NearCacheConfig;
import io.github.resilientjcache.core.near.OnUnavailable;
import io.github.resilientjcache.jcache.event.EntryEvent;
import io.github.resilientjcache.jcache.event.Listeners;
import io.github.resilientjcache.jcache.management.CacheConfigurationBean;
import io.github.resilientjcache.jcache.management.CacheStatistics;
import io.github.resilientjcache.jcache.management.ManagementBeans;
import io.github.resilientjcache.jcache.store.ChangeFeed;
import io.github.resilientjcache.jcache.store.KeyLayout.EncodedKey;
import io.github.resilientjcache.jcache.store.RedisStore;
import io.github.resilientjcache.jcache.store.ValueCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.CacheEntryListenerConfiguration;
import javax.cache.configuration.CompleteConfiguration;
import javax.cache.configuration.Configuration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import javax.cache.integration.CompletionListener;
import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import javax.cache.processor.MutableEntry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Cache} whose entries live in Redis, one key each, every call through the manager's supervisor:
 * when the Redis client is rebuilt after a failover this same object works on, with its listeners,
 * statistics and expiry policy, and nothing to rebind. Store-by-value: keys and values are serialized on the
 * way in and read back as new objects.
 *
 * <p>Two ways to run an operation. With one of the JDK's expiry policies (whose answers do not depend on
 * the entry) and no cache writer in the way of a conditional operation, each operation is one Lua script,
 * one round trip, atomic in Redis. Otherwise the entry is read, the decision made here (asking the expiry
 * policy only what applies, calling the writer before Redis changes), and written with a compare-and-set on
 * the entry's version, again on conflict: the path {@link #invoke} always takes.
 */
public final class ResilientCache<K, V> implements Cache<K, V> {

  private static final Logger log = LoggerFactory.getLogger(ResilientCache.class);
  private static final int SCAN_PAGE = 500;
  private static final int COMPARE_AND_SET_ATTEMPTS = 16;
  /** How long registering a listener waits for the subscription to other JVMs' changes. */
  private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final ResilientCacheManager manager;
  /** Changed only under {@code this}: listener registrations, the statistics and management flags. */
  private final MutableConfiguration<K, V> configuration;
  private final RedisStore store;
  private final ValueCodec codec;
  private final Expiry expiry;
  private final @Nullable CacheLoader<K, V> loader;
  private final @Nullable CacheWriter<K, V> writer;
  private final Executor background;
  private final Listeners<K, V> listeners;
  private final CacheStatistics statistics = new CacheStatistics();
  private final ManagementBeans beans;
  private final ChangeFeed feed;
  private final KeyTurns turns = new KeyTurns();
  /** The near cache (if on), the journal of failed writes, and what a call Redis cannot answer does. */
  private final NearTier tier;
  /** Whether reads ask Redis for the TTL left, for the near cache to keep an entry no longer. */
  private final boolean readTtl;
  private volatile boolean statisticsEnabled;
  private volatile boolean closed;

  ResilientCache(String name, ResilientCacheManager manager, MutableConfiguration<K, V> configuration,
      RedisStore store, ValueCodec codec, Executor background, Listeners<K, V> listeners, ManagementBeans beans,
      NearCacheConfig nearConfig, Function<Consumer<ChangeFeed.Change>, ChangeFeed> feeds) {
    this.name = Objects.requireNonNull(name, "name");
    this.manager = Objects.requireNonNull(manager, "manager");
    this.configuration = Objects.requireNonNull(configuration, "configuration");
    this.store = Objects.requireNonNull(store, "store");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.background = Objects.requireNonNull(background, "background");
    this.listeners = Objects.requireNonNull(listeners, "listeners");
    this.beans = Objects.requireNonNull(beans, "beans");
    this.expiry = new Expiry(configuration.getExpiryPolicyFactory().create());
    this.loader = configuration.getCacheLoaderFactory() == null ? null : configuration.getCacheLoaderFactory().create();
    this.writer = configuration.isWriteThrough() && configuration.getCacheWriterFactory() != null
        ? writer(configuration.getCacheWriterFactory().create()) : null;
    for (CacheEntryListenerConfiguration<K, V> l : configuration.getCacheEntryListenerConfigurations()) {
      listeners.register(l);
    }
    NearCache<Object> near = null;
    // Asked of a fixed policy only: any other one counts its calls, and the TCK checks the count.
    boolean ttls = expiry.isFixed() && (expiry.creation() != RedisStore.ETERNAL || expiry.update() != RedisStore.KEEP);
    if (nearConfig.enabled()) {
      if (expiry.isFixed() && expiry.access() == RedisStore.KEEP) {
        near = new NearCache<>(nearConfig, com.github.benmanes.caffeine.cache.Ticker.systemTicker(), ttls);
      } else {
        // A read must move the entry's expiry in Redis (or ask a policy whose answer depends on the entry):
        // a read answered here could not.
        log.info("cache {}: no near cache, though configured: its expiry policy ({}) changes an entry's expiry"
            + " when it is read, which only a read of Redis can do", name, expiry.policy().getClass().getName());
      }
    }
    this.readTtl = near != null && ttls;
    this.tier = new NearTier(name, near, nearConfig.journalSize(), nearConfig.onUnavailable(), store, codec,
        manager.supervisor(), background);
    store.onEpochMoved(tier::epochMoved);
    this.feed = feeds.apply(this::changedElsewhere);
    tier.follow(feed, LISTEN_TIMEOUT);
    if (!listeners.isEmpty()) {
      feed.listen(LISTEN_TIMEOUT);
    }
    this.statisticsEnabled = configuration.isStatisticsEnabled();
    if (configuration.isStatisticsEnabled()) {
      beans.register(ManagementBeans.Kind.STATISTICS, statistics);
    }
    if (configuration.isManagementEnabled()) {
      beans.register(ManagementBeans.Kind.CONFIGURATION, new CacheConfigurationBean(this::configuration));
    }
  }

  /** Whether single operations can be one script: the expiry policy answers the same whatever the entry. */
  private boolean scripted() {
    return expiry.isFixed();
  }

  private boolean readThrough() {
    return loader != null && configuration.isReadThrough();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public @Nullable V get(K key) {
    checkOpen();
    Objects.requireNonNull(key, "key");
    long start = statisticsEnabled ? System.nanoTime() : 0;
    NearCache<Object> near = tier.near();
    if (near != null && key instanceof String) { // a String key is its own near key: no encoding for a hit
      NearCache.Entry e = near.get(key);
      if (e != null) {
        countGet(true, start);
        return nearValue(e);
      }
    }
    EncodedKey k = codec.encodeKey(key);
    Object nk = NearTier.nearKey(key, k);
    if (near != null && nk != key) {
      NearCache.Entry e = near.get(nk);
      if (e != null) {
        countGet(true, start);
        return nearValue(e);
      }
    }
    V value = readOrMiss(k, nk);
    if (value != null) {
      countGet(true, start);
      return value;
    }
    countGet(false, start);
    if (!readThrough()) {
      return null;
    }
    V loaded = load(key);
    if (loaded != null) {
      storeLoaded(key, k, loaded, false);
    }
    return loaded;
  }

  /** {@link #read}, or under MISS null when Redis cannot answer. */
  private @Nullable V readOrMiss(EncodedKey k, Object nk) {
    try {
      return read(k, nk);
    } catch (CacheUnavailableException e) {
      if (tier.onUnavailable() == OnUnavailable.MISS) {
        return null;
      }
      throw e;
    }
  }

  /** Reads an entry as an access: the expiry policy's access duration applies to what is found. */
  private @Nullable V read(EncodedKey k, Object nk) {
    NearCache<Object> near = tier.near();
    // Before the journal is looked at: a write that fails meanwhile journals the key, then moves its stripe.
    long ticket = near == null ? NearCache.NO_FILL : near.ticket(nk);
    await(tier.owedBefore(k));
    if (near != null) { // a fixed policy that leaves the expiry on access alone: nothing to touch
      long since = near.now();
      RedisStore.Found found = await(store.get(k, RedisStore.KEEP, readTtl));
      if (found == null) {
        return null;
      }
      V value = value(found.value());
      near.fill(nk, ticket, found.value(), NearTier.keepable(value), found.version(), readTtl ? found.ttl()
          : NearCache.ETERNAL, since);
      return value;
    }
    if (scripted()) {
      RedisStore.Found found = await(store.get(k, expiry.access()));
      return found == null ? null : value(found.value());
    }
    RedisStore.Found found = await(store.get(k, RedisStore.KEEP));
    if (found == null) {
      return null;
    }
    touch(k);
    return value(found.value());
  }

  /** Applies the access duration to an entry found (the second round trip of a policy asked afterwards). */
  private void touch(EncodedKey k) {
    long ttl = expiry.access();
    if (ttl != RedisStore.KEEP) {
      await(store.get(k, ttl));
    }
  }

  @Override
  public Map<K, V> getAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(key, codec.encodeKey(Objects.requireNonNull(key, "a key in keys")));
    }
    long start = System.nanoTime();
    NearCache<Object> near = tier.near();
    Map<K, V> found = new LinkedHashMap<>();
    List<K> asked = new ArrayList<>();
    for (Map.Entry<K, EncodedKey> e : encoded.entrySet()) {
      NearCache.Entry held = near == null ? null : near.get(NearTier.nearKey(e.getKey(), e.getValue()));
      if (held != null) {
        found.put(e.getKey(), nearValue(held));
      } else {
        asked.add(e.getKey());
      }
    }
    List<EncodedKey> toRead = new ArrayList<>(asked.size());
    long[] tickets = new long[asked.size()];
    for (int i = 0; i < asked.size(); i++) {
      EncodedKey k = encoded.get(asked.get(i));
      toRead.add(k);
      tickets[i] = near == null ? NearCache.NO_FILL : near.ticket(NearTier.nearKey(asked.get(i), k));
    }
    long since = near == null ? 0 : near.now();
    List<RedisStore.@Nullable Found> reads;
    try {
      for (EncodedKey k : toRead) {
        await(tier.owedBefore(k));
      }
      reads = readMany(toRead, true);
    } catch (CacheUnavailableException e) {
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e;
      }
      reads = new ArrayList<>(toRead.size());
      for (int i = 0; i < toRead.size(); i++) {
        reads.add(null);
      }
    }
    List<K> missing = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      RedisStore.Found f = reads.get(i);
      if (f == null) {
        missing.add(asked.get(i));
      } else {
        V value = value(f.value());
        found.put(asked.get(i), value);
        if (near != null) {
          near.fill(NearTier.nearKey(asked.get(i), toRead.get(i)), tickets[i], f.value(), NearTier.keepable(value),
              f.version(), readTtl ? f.ttl() : NearCache.ETERNAL, since);
        }
      }
    }
    if (statisticsEnabled) {
      statistics.hits(found.size());
      statistics.misses(missing.size());
      statistics.getTime(System.nanoTime() - start);
    }
    if (!missing.isEmpty() && readThrough()) {
      Map<K, V> loaded = loadAll(missing);
      loaded.forEach((key, value) -> {
        if (value != null && encoded.containsKey(key)) {
          storeLoaded(key, encoded.get(key), value, false);
          found.put(key, value);
        }
      });
    }
    return found;
  }

  /**
   * Reads entries all at once; null where there is none. {@code access}: each is an access now (else the
   * caller applies the access when it hands the entry out).
   */
  private List<RedisStore.@Nullable Found> readMany(List<EncodedKey> keys, boolean access) {
    long accessTtl = access && scripted() ? expiry.access() : RedisStore.KEEP;
    List<CompletionStage<RedisStore.@Nullable Found>> reads = new ArrayList<>(keys.size());
    for (EncodedKey k : keys) {
      reads.add(store.get(k, accessTtl, readTtl));
    }
    List<RedisStore.@Nullable Found> found = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      RedisStore.Found f = await(reads.get(i));
      if (f != null && access && !scripted()) {
        touch(keys.get(i));
      }
      found.add(f);
    }
    return found;
  }

  @Override
  public boolean containsKey(K key) {
    EncodedKey k = key(key);
    NearCache<Object> near = tier.near();
    if (near != null && near.answers(NearTier.nearKey(key, k))) {
      return true;
    }
    try {
      await(tier.owedBefore(k));
      return await(store.contains(k));
    } catch (CacheUnavailableException e) {
      if (tier.onUnavailable() == OnUnavailable.MISS) {
        return false;
      }
      throw e;
    }
  }

  /** What a near cache entry holds, as the caller's own instance (an immutable one may be shared). */
  @SuppressWarnings("unchecked")
  private V nearValue(NearCache.Entry e) {
    Object kept = e.shared();
    return kept != null ? (V) NearTier.handOut(kept) : value(e.bytes());
  }

  // ---------------------------------------------------------------- writes

  @Override
  public void put(K key, V value) {
    putEntry(key, value, false, true);
  }

  @Override
  public @Nullable V getAndPut(K key, V value) {
    return putEntry(key, value, true, true);
  }

  /** A put: the writer first (when asked), then Redis; returns the old value if {@code returnOld}. */
  private @Nullable V putEntry(K key, V value, boolean returnOld, boolean writeThrough) {
    EncodedKey k = key(key);
    byte[] bytes = bytes(value);
    return writing(key, k, () -> putEncoded(key, k, value, bytes, returnOld, writeThrough), () -> null);
  }

  private @Nullable V putEncoded(K key, EncodedKey k, V value, byte[] bytes, boolean returnOld,
      boolean writeThrough) {
    long start = System.nanoTime();
    Object nk = NearTier.nearKey(key, k);
    if (!scripted()) {
      Applied<K, V> a = apply(key, k, writeThrough, current -> Plan.set(value, bytes));
      tier.changed(nk);
      if (returnOld) {
        countGet(a.before() != null, start);
      }
      countPut(a.op() == Op.SET, start);
      fire(a);
      return a.before();
    }
    if (writeThrough && writer != null) {
      write(key, value);
    }
    boolean wantOld = returnOld || listeners.wants(EventType.UPDATED);
    long ticket = tier.ticket(nk);
    RedisStore.Before b = await(store.put(k, bytes, expiry.creation(), expiry.update(), wantOld));
    settlePut(nk, ticket, bytes, value, b, start);
    V old = b.oldValue() == null ? null : value(b.oldValue());
    if (returnOld) {
      countGet(b.existed(), start);
    }
    countPut(b.changed(), start);
    if (b.changed()) {
      fire(b.existed() ? EntryEvent.updated(this, key, value, old) : EntryEvent.created(this, key, value));
    }
    return old;
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> map) {
    checkOpen();
    Objects.requireNonNull(map, "map");
    Map<K, V> entries = new LinkedHashMap<>();
    Map<K, EncodedKey> keys = new HashMap<>();
    Map<K, byte[]> values = new HashMap<>();
    for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
      K key = Objects.requireNonNull(e.getKey(), "a key in map");
      V value = Objects.requireNonNull(e.getValue(), "the value of a key in map");
      entries.put(key, value);
      keys.put(key, codec.encodeKey(key));
      values.put(key, codec.encodeValue(value));
    }
    CacheWriterException failed = null;
    if (writer != null && !entries.isEmpty()) {
      List<Cache.Entry<? extends K, ? extends V>> toWrite = new ArrayList<>();
      entries.forEach((key, value) -> toWrite.add(new SimpleEntry<>(key, value)));
      try {
        writer.writeAll(toWrite);
      } catch (Exception e) {
        failed = writerFailed(e);
      }
      for (Cache.Entry<? extends K, ? extends V> notWritten : toWrite) {
        entries.remove(notWritten.getKey()); // only what the writer wrote goes into the cache
      }
    }
    try {
      putAllEncoded(entries, keys, values);
    } catch (CacheUnavailableException e) {
      entries.keySet().forEach(key -> tier.writeFailed(NearTier.nearKey(key, keys.get(key)), keys.get(key)));
      manager.writeFailed(this);
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  private void putAllEncoded(Map<K, V> entries, Map<K, EncodedKey> keys, Map<K, byte[]> values) {
    for (EncodedKey k : keys.values()) {
      await(tier.owedBefore(k));
    }
    long start = System.nanoTime();
    List<EntryEvent<K, V>> events = new ArrayList<>();
    if (scripted()) {
      boolean wantOld = listeners.wants(EventType.UPDATED);
      Map<K, CompletionStage<RedisStore.Before>> writes = new LinkedHashMap<>();
      long creation = expiry.creation();
      long update = expiry.update();
      Map<K, Long> tickets = new HashMap<>();
      entries.forEach((key, value) -> {
        tickets.put(key, tier.ticket(NearTier.nearKey(key, keys.get(key))));
        writes.put(key, store.put(keys.get(key), values.get(key), creation, update, wantOld));
      });
      int changed = 0;
      for (Map.Entry<K, CompletionStage<RedisStore.Before>> w : writes.entrySet()) {
        RedisStore.Before b = await(w.getValue());
        EncodedKey k = keys.get(w.getKey());
        settlePut(NearTier.nearKey(w.getKey(), k), tickets.get(w.getKey()), values.get(w.getKey()),
            entries.get(w.getKey()), b, start);
        if (b.changed()) {
          changed++;
          V value = entries.get(w.getKey());
          events.add(b.existed() ? EntryEvent.updated(this, w.getKey(), value, b.oldValue() == null ? null
              : value(b.oldValue())) : EntryEvent.created(this, w.getKey(), value));
        }
      }
      if (statisticsEnabled && changed > 0) {
        statistics.puts(changed);
        statistics.putTime(System.nanoTime() - start);
      }
    } else {
      for (Map.Entry<K, V> e : entries.entrySet()) {
        V value = e.getValue();
        byte[] bytes = values.get(e.getKey());
        EncodedKey k = keys.get(e.getKey());
        Applied<K, V> a = apply(e.getKey(), k, false, current -> Plan.set(value, bytes));
        tier.changed(NearTier.nearKey(e.getKey(), k));
        countPut(a.op() == Op.SET, start);
        event(a).ifPresent(events::add);
      }
    }
    fire(events);
  }

  @Override
  public boolean putIfAbsent(K key, V value) {
    EncodedKey k = key(key);
    byte[] bytes = bytes(value);
    return writing(key, k, () -> putIfAbsentEncoded(key, k, value, bytes), () -> false);
  }

  private boolean putIfAbsentEncoded(K key, EncodedKey k, V value, byte[] bytes) {
    long start = System.nanoTime();
    Object nk = NearTier.nearKey(key, k);
    boolean written;
    if (scripted() && writer == null) {
      long since = System.nanoTime();
      long ticket = tier.ticket(nk);
      RedisStore.Before b = await(store.putIfAbsent(k, bytes, expiry.creation()));
      written = b.changed();
      if (written) {
        tier.wrote(nk, ticket, bytes, value, b.version(), expiry.creation(), since);
      } else {
        tier.changed(nk);
      }
    } else {
      Applied<K, V> a = apply(key, k, true, current -> current == null ? Plan.set(value, bytes) : Plan.none());
      written = a.op() == Op.SET;
      tier.changed(nk);
    }
    countGet(!written, start); // as the spec's table has it: a put that happened was a miss
    countPut(written, start);
    if (written) {
      fire(EntryEvent.created(this, key, value));
    }
    return written;
  }

  @Override
  public boolean remove(K key) {
    return removeEntry(key, false).done();
  }

  @Override
  public @Nullable V getAndRemove(K key) {
    return removeEntry(key, true).old();
  }

  /** Whether an operation on an existing entry took place, and the value it found. */
  private record Done<V>(boolean done, @Nullable V old) {}

  /** An unconditional removal: the writer first, then Redis. */
  private Done<V> removeEntry(K key, boolean returnOld) {
    EncodedKey k = key(key);
    return writing(key, k, () -> removeEncoded(key, k, returnOld), () -> new Done<>(false, null));
  }

  private Done<V> removeEncoded(K key, EncodedKey k, boolean returnOld) {
    long start = System.nanoTime();
    if (writer != null) {
      delete(key);
    }
    boolean wantOld = returnOld || listeners.wants(EventType.REMOVED);
    RedisStore.Before b = await(store.remove(k, wantOld));
    tier.changed(NearTier.nearKey(key, k));
    if (returnOld) {
      countGet(b.changed(), start);
    }
    countRemove(b.changed(), start);
    if (!b.changed()) {
      return new Done<>(false, null);
    }
    V old = b.oldValue() == null ? null : value(b.oldValue());
    fire(EntryEvent.removed(this, key, old));
    return new Done<>(true, old);
  }

  @Override
  public boolean remove(K key, V oldValue) {
    EncodedKey k = key(key);
    byte[] expected = bytes(oldValue);
    return writing(key, k, () -> removeIfEncoded(key, k, oldValue, expected), () -> false);
  }

  private boolean removeIfEncoded(K key, EncodedKey k, V oldValue, byte[] expected) {
    long start = System.nanoTime();
    boolean existed;
    boolean removed;
    if (scripted() && writer == null) {
      RedisStore.Before b = await(store.remove(k, expected, expiry.access(), false));
      existed = b.existed();
      removed = b.changed();
    } else {
      Applied<K, V> a = apply(key, k, true, current -> current == null ? Plan.none()
          : current.equals(oldValue) ? Plan.remove() : Plan.access());
      existed = a.before() != null;
      removed = a.op() == Op.REMOVE;
    }
    tier.changed(NearTier.nearKey(key, k));
    countGet(existed, start);
    countRemove(removed, start);
    if (removed) {
      fire(EntryEvent.removed(this, key, oldValue));
    }
    return removed;
  }

  @Override
  public boolean replace(K key, V oldValue, V newValue) {
    EncodedKey k = key(key);
    byte[] expected = bytes(oldValue);
    byte[] bytes = bytes(newValue);
    return writing(key, k, () -> replaceIfEncoded(key, k, oldValue, expected, newValue, bytes), () -> false);
  }

  private boolean replaceIfEncoded(K key, EncodedKey k, V oldValue, byte[] expected, V newValue, byte[] bytes) {
    long start = System.nanoTime();
    boolean existed;
    boolean replaced;
    if (scripted() && writer == null) {
      RedisStore.Before b = await(store.replace(k, bytes, expiry.update(), expected, expiry.access(), false));
      existed = b.existed();
      replaced = b.changed();
    } else {
      Applied<K, V> a = apply(key, k, true, current -> current == null ? Plan.none()
          : current.equals(oldValue) ? Plan.set(newValue, bytes) : Plan.access());
      existed = a.before() != null;
      replaced = a.op() == Op.SET;
    }
    tier.changed(NearTier.nearKey(key, k));
    countGet(existed, start);
    countPut(replaced, start);
    if (replaced) {
      fire(EntryEvent.updated(this, key, newValue, oldValue));
    }
    return replaced;
  }

  @Override
  public boolean replace(K key, V value) {
    return replaceEntry(key, value, false).done();
  }

  @Override
  public @Nullable V getAndReplace(K key, V value) {
    return replaceEntry(key, value, true).old();
  }

  /** Replaces an existing entry. */
  private Done<V> replaceEntry(K key, V value, boolean returnOld) {
    EncodedKey k = key(key);
    byte[] bytes = bytes(value);
    return writing(key, k, () -> replaceEncoded(key, k, value, bytes, returnOld), () -> new Done<>(false, null));
  }

  private Done<V> replaceEncoded(K key, EncodedKey k, V value, byte[] bytes, boolean returnOld) {
    long start = System.nanoTime();
    V old;
    boolean replaced;
    if (scripted() && writer == null) {
      boolean wantOld = returnOld || listeners.wants(EventType.UPDATED);
      RedisStore.Before b = await(store.replace(k, bytes, expiry.update(), null, RedisStore.KEEP, wantOld));
      replaced = b.changed();
      old = b.oldValue() == null ? null : value(b.oldValue());
    } else {
      Applied<K, V> a = apply(key, k, true, current -> current == null ? Plan.none() : Plan.set(value, bytes));
      replaced = a.op() == Op.SET;
      old = a.before();
    }
    tier.changed(NearTier.nearKey(key, k));
    countGet(replaced, start);
    countPut(replaced, start);
    if (!replaced) {
      return new Done<>(false, null);
    }
    fire(EntryEvent.updated(this, key, value, old));
    return new Done<>(true, old);
  }

  @Override
  public void removeAll(Set<? extends K> keys) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (K key : keys) {
      encoded.put(key, codec.encodeKey(Objects.requireNonNull(key, "a key in keys")));
    }
    removeBatch(encoded);
  }

  /** Removes every entry one by one (each removal is seen by listeners and the writer); see {@link #clear()}. */
  @Override
  public void removeAll() {
    checkOpen();
    Map<K, EncodedKey> encoded = new LinkedHashMap<>();
    for (EncodedKey k : keysNow()) {
      encoded.put(decodeKey(k), k);
    }
    removeBatch(encoded);
  }

  private void removeBatch(Map<K, EncodedKey> encoded) {
    CacheWriterException failed = null;
    if (writer != null && !encoded.isEmpty()) {
      Collection<Object> toDelete = new ArrayList<>(encoded.keySet());
      try {
        writer.deleteAll(toDelete);
      } catch (Exception e) {
        failed = writerFailed(e);
      }
      toDelete.forEach(encoded::remove); // only what the writer deleted leaves the cache
    }
    try {
      removeBatchFromRedis(encoded);
    } catch (CacheUnavailableException e) {
      encoded.forEach((key, k) -> tier.writeFailed(NearTier.nearKey(key, k), k));
      manager.writeFailed(this);
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  private void removeBatchFromRedis(Map<K, EncodedKey> encoded) {
    long start = System.nanoTime();
    boolean wantOld = listeners.wants(EventType.REMOVED);
    Map<K, CompletionStage<RedisStore.Before>> removals = new LinkedHashMap<>();
    encoded.forEach((key, k) -> removals.put(key, store.remove(k, wantOld)));
    List<EntryEvent<K, V>> events = new ArrayList<>();
    int removed = 0;
    for (Map.Entry<K, CompletionStage<RedisStore.Before>> r : removals.entrySet()) {
      RedisStore.Before b = await(r.getValue());
      EncodedKey k = encoded.get(r.getKey());
      tier.changed(NearTier.nearKey(r.getKey(), k));
      if (b.changed()) {
        removed++;
        events.add(EntryEvent.removed(this, r.getKey(), b.oldValue() == null ? null : value(b.oldValue())));
      }
    }
    if (statisticsEnabled && removed > 0) {
      statistics.removals(removed);
      statistics.removeTime(System.nanoTime() - start);
    }
    fire(events);
  }

  /**
   * Empties the cache in one round trip, whatever its size: no listener, writer or statistic sees it, as
   * the spec says.
   */
  @Override
  public void clear() {
    checkOpen();
    tier.epochMoved(false);
    try {
      await(store.clear());
    } catch (CacheUnavailableException e) {
      tier.clearFailed();
      manager.writeFailed(this);
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e;
      }
    }
  }

  // ---------------------------------------------------------------- read-decide-write

  /** What a decision on an entry asks for. */
  private enum Op { NONE, ACCESS, SET, LOAD, REMOVE }

  /** A decision: the operation, and the value it writes. */
  /** A decision; {@code bytes} is the value serialized, when the caller has done it already (else null). */
  private record Plan<V>(Op op, @Nullable V value, byte @Nullable [] bytes) {
    static <V> Plan<V> none() {
      return new Plan<>(Op.NONE, null, null);
    }

    static <V> Plan<V> access() {
      return new Plan<>(Op.ACCESS, null, null);
    }

    static <V> Plan<V> set(V value) {
      return new Plan<>(Op.SET, value, null);
    }

    /** A value the caller serialized already (to refuse it before any writer saw it). */
    static <V> Plan<V> set(V value, byte[] bytes) {
      return new Plan<>(Op.SET, value, bytes);
    }

    static <V> Plan<V> load(V value) {
      return new Plan<>(Op.LOAD, value, null);
    }

    static <V> Plan<V> remove() {
      return new Plan<>(Op.REMOVE, null, null);
    }
  }

  /** What took effect: the operation (NONE when nothing changed), the value before and after. */
  private record Applied<K, V>(K key, Op op, @Nullable V before, @Nullable V after) {}

  /**
   * Reads the entry, decides, and writes with a compare-and-set on the entry's version, again when another
   * writer got there first (in another JVM: in this one, decisions on a key take turns). The writer, when
   * {@code writeThrough}, is called before Redis changes and stops the change if it throws; on a conflict it
   * can be called again for the next decision. The expiry policy is asked only what applies: creation for
   * an entry that was absent, update for one that existed.
   */
  private Applied<K, V> apply(K key, EncodedKey k, boolean writeThrough, Function<@Nullable V, Plan<V>> decide) {
    return turns.take(k, () -> decideAndWrite(key, k, writeThrough, decide));
  }

  private Applied<K, V> decideAndWrite(K key, EncodedKey k, boolean writeThrough,
      Function<@Nullable V, Plan<V>> decide) {
    for (int attempt = 0; attempt < COMPARE_AND_SET_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        long ceiling = Math.min(20_000_000L, 250_000L << Math.min(attempt, 6));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling));
      }
      RedisStore.Found found = await(store.get(k, RedisStore.KEEP));
      V current = found == null ? null : value(found.value());
      long version = found == null ? 0 : found.version();
      Plan<V> plan = decide.apply(current);
      switch (plan.op()) {
        case NONE -> {
          return new Applied<>(key, Op.NONE, current, current);
        }
        case ACCESS -> {
          if (found != null) {
            touch(k);
          }
          return new Applied<>(key, Op.ACCESS, current, current);
        }
        case SET, LOAD -> {
          V value = Objects.requireNonNull(plan.value());
          byte[] bytes = plan.bytes() != null ? plan.bytes() : bytes(value);
          if (plan.op() == Op.SET && writeThrough && writer != null) {
            write(key, value);
          }
          long ttl = found == null ? expiry.creation() : expiry.update();
          if (await(store.changeIfVersion(k, version, bytes, ttl, ttl))) {
            boolean written = found != null || ttl != RedisStore.EXPIRED;
            return new Applied<>(key, written ? plan.op() : Op.NONE, current, written ? value : null);
          }
        }
        case REMOVE -> {
          if (writeThrough && writer != null) {
            delete(key);
          }
          if (found == null) {
            return new Applied<>(key, Op.NONE, null, null);
          }
          if (await(store.changeIfVersion(k, version, null, RedisStore.KEEP, RedisStore.KEEP))) {
            return new Applied<>(key, Op.REMOVE, current, null);
          }
        }
      }
      // Another writer changed the entry between the read and the write: decide again on what it holds now.
    }
    throw new CacheException("cache " + name + ": gave up after " + COMPARE_AND_SET_ATTEMPTS
        + " attempts, the entry kept changing under it");
  }

  private Optional<EntryEvent<K, V>> event(Applied<K, V> a) {
    K key = a.key();
    return switch (a.op()) {
      case SET, LOAD -> Optional.of(a.before() == null
          ? EntryEvent.created(this, key, Objects.requireNonNull(a.after()))
          : EntryEvent.updated(this, key, Objects.requireNonNull(a.after()), a.before()));
      case REMOVE -> Optional.of(EntryEvent.removed(this, key, a.before()));
      case NONE, ACCESS -> Optional.empty();
    };
  }

  private void fire(Applied<K, V> a) {
    event(a).ifPresent(this::fire);
  }

  /**
   * Runs the processor in this JVM on the entry as read, then writes with a compare-and-set on the entry's
   * version: a processor may run more than once when another JVM changes the entry meanwhile, and what it
   * did counts only for the run that wrote. What it throws reaches the caller as an
   * {@link EntryProcessorException}, and nothing is written.
   */
  @Override
  public <T> @Nullable T invoke(K key, EntryProcessor<K, V, T> entryProcessor, Object... arguments) {
    EncodedKey k = key(key);
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    List<T> result = new ArrayList<>(1);
    long start = System.nanoTime();
    boolean[] returned = new boolean[1];
    EntryProcessor<K, V, T> watched = (entry, args) -> {
      try {
        T r = entryProcessor.process(entry, args);
        returned[0] = true;
        return r;
      } catch (CacheUnavailableException e) {
        throw new ProcessorMetRedisAway(e); // the processor's own (another cache's call): not this cache's Redis
      }
    };
    // Under MISS, the processor's answer still counts, its changes do not (the key is journalled): Spring's
    // get(key, valueLoader) is a processor that loads on a miss, and must return the loaded value. It runs
    // once: when it returned before the write failed, that answer stands.
    try {
      return writing(key, k, () -> invokeEncoded(key, k, watched, arguments, result),
          () -> returned[0] ? (result.isEmpty() ? null : result.get(0))
              : processMissed(key, entryProcessor, arguments, start));
    } catch (ProcessorMetRedisAway e) {
      throw e.unavailable;
    }
  }

  /** Redis refused a write for want of memory ({@code OOM}): it answers, so no failover; the write did not happen. */
  static final class RedisFull extends CacheException {
    private static final long serialVersionUID = 1L;

    RedisFull(String message, Throwable cause) {
      super(message, cause);
    }

    static boolean is(@Nullable Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        String m = c.getMessage();
        if (c instanceof org.redisson.client.RedisOutOfMemoryException
            || m != null && (m.startsWith("OOM ") || m.contains("used memory > 'maxmemory'"))) {
          return true;
        }
      }
      return false;
    }
  }

  /** Carries a processor's own CacheUnavailableException past {@link #writing}, which would take it for ours. */
  private static final class ProcessorMetRedisAway extends CacheException {
    private static final long serialVersionUID = 1L;
    private final transient CacheUnavailableException unavailable;

    ProcessorMetRedisAway(CacheUnavailableException unavailable) {
      super(unavailable.getMessage(), unavailable);
      this.unavailable = unavailable;
    }
  }

  /** Runs {@code entryProcessor} on an absent entry whose changes are dropped: an invoke under MISS. */
  private <T> @Nullable T processMissed(K key, EntryProcessor<K, V, T> entryProcessor, Object[] arguments,
      long start) {
    countGet(false, start);
    try {
      return entryProcessor.process(new ProcessorEntry(key, null), arguments);
    } catch (CacheException e) {
      throw e;
    } catch (Exception e) {
      throw new EntryProcessorException(e);
    }
  }

  private <T> @Nullable T invokeEncoded(K key, EncodedKey k, EntryProcessor<K, V, T> entryProcessor,
      Object[] arguments, List<T> result) {
    long start = System.nanoTime();
    Applied<K, V> a = apply(key, k, true, current -> {
      ProcessorEntry entry = new ProcessorEntry(key, current);
      T r;
      try {
        r = entryProcessor.process(entry, arguments);
      } catch (CacheException e) {
        throw e;
      } catch (Exception e) {
        throw new EntryProcessorException(e);
      }
      result.clear();
      result.add(r);
      return entry.plan();
    });
    if (a.op() != Op.NONE && a.op() != Op.ACCESS) {
      tier.changed(NearTier.nearKey(key, k));
    }
    countGet(a.before() != null, start);
    countPut(a.op() == Op.SET, start);
    countRemove(a.op() == Op.REMOVE, start);
    fire(a);
    return result.isEmpty() ? null : result.get(0);
  }

  @Override
  public <T> Map<K, EntryProcessorResult<T>> invokeAll(Set<? extends K> keys, EntryProcessor<K, V, T> entryProcessor,
      Object... arguments) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(entryProcessor, "entryProcessor");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys");
    }
    Map<K, EntryProcessorResult<T>> results = new HashMap<>();
    for (K key : keys) {
      try {
        T r = invoke(key, entryProcessor, arguments);
        if (r != null) {
          results.put(key, () -> r);
        }
      } catch (Exception e) {
        EntryProcessorException failure = e instanceof EntryProcessorException epe ? epe
            : new EntryProcessorException(e);
        results.put(key, () -> {
          throw failure;
        });
      }
    }
    return results;
  }

  /** The entry a processor sees: its value as read (loaded on demand when read-through), and what it did. */
  private final class ProcessorEntry implements MutableEntry<K, V> {
    private final K key;
    private final boolean existed;
    private @Nullable V value;
    private Op op = Op.NONE;

    ProcessorEntry(K key, @Nullable V value) {
      this.key = key;
      this.value = value;
      this.existed = value != null;
    }

    Plan<V> plan() {
      return switch (op) {
        case SET -> Plan.set(Objects.requireNonNull(value));
        case LOAD -> Plan.load(Objects.requireNonNull(value));
        case REMOVE -> Plan.remove();
        case ACCESS -> Plan.access();
        case NONE -> Plan.none();
      };
    }

    @Override
    public boolean exists() {
      return value != null;
    }

    @Override
    public void remove() {
      // Removing what this run created or loaded leaves the entry as it was: absent. Removing an absent entry
      // is still a removal for the writer (the spec's write-through: delete what may be in the store).
      op = !existed && (op == Op.SET || op == Op.LOAD) ? Op.NONE : Op.REMOVE;
      value = null;
    }

    @Override
    public void setValue(V v) {
      value = Objects.requireNonNull(v, "value");
      op = Op.SET;
    }

    @Override
    public K getKey() {
      return key;
    }

    @Override
    public @Nullable V getValue() {
      if (op == Op.NONE) {
        if (value == null && readThrough()) {
          V loaded = load(key);
          if (loaded != null) {
            value = loaded;
            op = Op.LOAD;
          }
        } else if (value != null) {
          op = Op.ACCESS;
        }
      }
      return value;
    }

    @Override
    public <T> T unwrap(Class<T> clazz) {
      throw new IllegalArgumentException("a processor's entry unwraps to nothing, not to " + clazz.getName());
    }
  }

  // ---------------------------------------------------------------- read-through and write-through

  /**
   * Loads the keys from the cache loader in the background and tells the listener when done (or why not).
   * Loaded values are no puts: the writer is not called and statistics do not count them.
   */
  @Override
  public void loadAll(Set<? extends K> keys, boolean replaceExistingValues,
      @Nullable CompletionListener completionListener) {
    checkOpen();
    Objects.requireNonNull(keys, "keys");
    for (K key : keys) {
      Objects.requireNonNull(key, "a key in keys");
    }
    if (loader == null) {
      if (completionListener != null) {
        completionListener.onCompletion();
      }
      return;
    }
    List<K> requested = List.copyOf(keys);
    background.execute(() -> {
      try {
        List<K> toLoad = new ArrayList<>();
        for (K key : requested) {
          if (replaceExistingValues || !containsKey(key)) {
            toLoad.add(key);
          }
        }
        Map<K, V> loaded = toLoad.isEmpty() ? Map.of() : loadAll(toLoad);
        for (Map.Entry<K, V> e : loaded.entrySet()) {
          if (e.getKey() != null && e.getValue() != null) {
            storeLoaded(e.getKey(), codec.encodeKey(e.getKey()), e.getValue(), replaceExistingValues);
          }
        }
        if (completionListener != null) {
          completionListener.onCompletion();
        }
      } catch (Exception e) {
        if (completionListener != null) {
          completionListener.onException(e);
        } else {
          log.warn("cache {}: loadAll failed: {}", name, e.toString());
        }
      }
    });
  }

  /** Puts what the loader gave: over what is there only when {@code replace}, never through the writer. */
  private void storeLoaded(K key, EncodedKey k, V value, boolean replace) {
    byte[] bytes = bytes(value);
    Object nk = NearTier.nearKey(key, k);
    try {
      await(tier.owedBefore(k));
      storeLoadedEncoded(key, k, value, bytes, replace);
    } catch (CacheUnavailableException e) {
      // Not journalled: had it reached Redis, it would hold the loader's value, which is no stale value.
      tier.changed(nk);
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e;
      }
    } catch (RuntimeException e) {
      tier.changed(nk);
      throw e;
    }
  }

  private void storeLoadedEncoded(K key, EncodedKey k, V value, byte[] bytes, boolean replace) {
    Object nk = NearTier.nearKey(key, k);
    long since = System.nanoTime();
    long ticket = tier.ticket(nk);
    if (scripted()) {
      RedisStore.Before b = replace
          ? await(store.put(k, bytes, expiry.creation(), expiry.update(), listeners.wants(EventType.UPDATED)))
          : await(store.putIfAbsent(k, bytes, expiry.creation()));
      settlePut(nk, ticket, bytes, value, b, since);
      if (b.changed()) {
        fire(b.existed() ? EntryEvent.updated(this, key, value, b.oldValue() == null ? null : value(b.oldValue()))
            : EntryEvent.created(this, key, value));
      }
      return;
    }
    Applied<K, V> a = apply(key, k, false, current -> current == null || replace ? Plan.load(value) : Plan.none());
    tier.changed(nk);
    fire(a);
  }

  /** Tells the near tier what a scripted put (or putIfAbsent) of {@code value} did. */
  private void settlePut(Object nk, long ticket, byte[] bytes, V value, RedisStore.Before b, long since) {
    if (!b.changed()) {
      tier.changed(nk);
      return;
    }
    long ttl = !b.existed() ? expiry.creation()
        : expiry.update() == RedisStore.KEEP && expiry.creation() == RedisStore.ETERNAL ? RedisStore.ETERNAL
        : expiry.update();
    tier.wrote(nk, ticket, bytes, value, b.version(), ttl, since);
  }

  /**
   * Runs a write of one key: first what Redis is owed for it (a journalled removal). When Redis cannot
   * answer, no near entry is left claiming a value and the key is journalled; then under MISS the write
   * returns {@code whenMissed}, under FAIL the exception goes on. Any other failure drops the near entry.
   */
  private <T> T writing(K key, EncodedKey k, Supplier<T> write, Supplier<T> whenMissed) {
    try {
      await(tier.owedBefore(k));
      return write.get();
    } catch (CacheUnavailableException e) {
      tier.writeFailed(NearTier.nearKey(key, k), k);
      manager.writeFailed(this);
      if (tier.onUnavailable() == OnUnavailable.MISS) {
        return whenMissed.get();
      }
      throw e;
    } catch (RedisFull e) {
      tier.changed(NearTier.nearKey(key, k));
      if (tier.onUnavailable() != OnUnavailable.MISS) {
        throw e; // the write did not happen, and the caller is told: the old value stays, as it should
      }
      // Under MISS the caller goes on as if it had written: the old value must go (a removal needs no memory).
      try {
        await(store.remove(k, false));
      } catch (CacheUnavailableException gone) {
        tier.writeFailed(NearTier.nearKey(key, k), k);
        manager.writeFailed(this);
      }
      tier.changed(NearTier.nearKey(key, k));
      return whenMissed.get();
    } catch (RuntimeException e) {
      tier.changed(NearTier.nearKey(key, k));
      throw e;
    }
  }

  private @Nullable V load(K key) {
    CacheLoader<K, V> l = Objects.requireNonNull(loader);
    try {
      return l.load(key);
    } catch (CacheLoaderException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoaderException("cache " + name + ": the cache loader threw " + e, e);
    }
  }

  private Map<K, V> loadAll(List<K> keys) {
    CacheLoader<K, V> l = Objects.requireNonNull(loader);
    try {
      Map<K, V> loaded = l.loadAll(keys);
      return loaded == null ? Map.of() : loaded;
    } catch (CacheLoaderException e) {
      throw e;
    } catch (Exception e) {
      throw new CacheLoaderException("cache " + name + ": the cache loader threw " + e, e);
    }
  }

  private void write(K key, V value) {
    try {
      Objects.requireNonNull(writer).write(new SimpleEntry<>(key, value));
    } catch (Exception e) {
      throw writerFailed(e);
    }
  }

  private void delete(K key) {
    try {
      Objects.requireNonNull(writer).delete(key);
    } catch (Exception e) {
      throw writerFailed(e);
    }
  }

  private CacheWriterException writerFailed(Exception e) {
    return e instanceof CacheWriterException w ? w
        : new CacheWriterException("cache " + name + ": the cache writer threw " + e, e);
  }

  // ---------------------------------------------------------------- listeners

  @Override
  public void registerCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    checkOpen();
    Objects.requireNonNull(listener, "listener");
    synchronized (this) { // with deregistration's check, so a listener that comes and goes leaves nothing
      listeners.register(listener);
      configuration.addCacheEntryListenerConfiguration(listener);
      feed.listen(LISTEN_TIMEOUT);
    }
  }

  @Override
  public void deregisterCacheEntryListener(CacheEntryListenerConfiguration<K, V> listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (listeners.deregister(listener)) {
        configuration.removeCacheEntryListenerConfiguration(listener);
      }
      if (listeners.isEmpty()) {
        feed.stopListening();
      }
    }
  }

  /**
   * Another JVM changed an entry, and its script published the change because this one listens. Runs on a
   * Redisson thread: decoding and delivery go to the serial executor. A change under an epoch this cache
   * has left (a clear crossed it) is dropped.
   */
  private void changedElsewhere(ChangeFeed.Change change) {
    if (closed) {
      return;
    }
    tier.changedElsewhere(change);
    if (listeners.isEmpty()) {
      return;
    }
    listeners.fireRemote(() -> {
      EncodedKey k = store.keyOf(change.redisKey());
      EventType type = switch (change.kind()) {
        case ChangeFeed.Change.CREATED -> EventType.CREATED;
        case ChangeFeed.Change.UPDATED -> EventType.UPDATED;
        case ChangeFeed.Change.REMOVED -> EventType.REMOVED;
        default -> null;
      };
      if (k == null || type == null || (type != EventType.REMOVED && change.newValue() == null)) {
        return null;
      }
      return EntryEvent.remote(this, type, decodeKey(k), change.newValue() == null ? null : value(change.newValue()),
          change.oldValue() == null ? null : value(change.oldValue()));
    });
  }

  /** For tests: whether this cache publishes its changes, because a manager elsewhere listens. */
  boolean othersListen() {
    return feed.othersListen();
  }

  /** The feed of other JVMs' changes: the manager tells it when messages may have been missed. */
  ChangeFeed feed() {
    return feed;
  }

  /** Messages may have been missed ({@code why}: a new client, a lost connection): read again, reconcile. */
  void resync(String why) {
    tier.lost(why); // first: the registration the feed starts must come after the loss to count
    feed.resync();
    tier.available();
  }

  /** Set to {@code clearAfterOutage}, this cache owes a clear ({@code why}: what happened). */
  void owesClear(String why) {
    tier.owesClear(why);
  }

  /** Whether this cache owes Redis anything: keys to remove, or a clear. */
  boolean owesRedis() {
    return !tier.journal().isEmpty();
  }

  /** The supervisor's failure counter opened or closed. */
  void stateChanged(io.github.resilientjcache.core.SupervisorState to) {
    if (to == io.github.resilientjcache.core.SupervisorState.AVAILABLE) {
      tier.available();
    } else {
      tier.lost("Redis is " + to.toString().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** This JVM's near cache of the cache, if it has one (for statistics and meters). */
  public java.util.Optional<NearCache<?>> nearCache() {
    return java.util.Optional.ofNullable(tier.near());
  }

  /** How many keys the cache owes Redis a removal of, from writes that failed during an outage. */
  public int journalSize() {
    return tier.journal().size();
  }

  /** The keys the cache owes Redis a removal of (read-only use: sizes and counts, for meters). */
  public io.github.resilientjcache.core.near.Journal<?> journal() {
    return tier.journal();
  }

  private void fire(EntryEvent<K, V> event) {
    if (!listeners.isEmpty()) {
      listeners.fire(List.of(event));
    }
  }

  private void fire(List<EntryEvent<K, V>> events) {
    if (!listeners.isEmpty()) {
      listeners.fire(events);
    }
  }

  // ---------------------------------------------------------------- statistics and management

  private void countGet(boolean hit, long start) {
    if (statisticsEnabled) {
      if (hit) {
        statistics.hits(1);
      } else {
        statistics.misses(1);
      }
      if (start != 0) { // 0: statistics were off when the call began
        statistics.getTime(System.nanoTime() - start);
      }
    }
  }

  private void countPut(boolean put, long start) {
    if (statisticsEnabled && put) {
      statistics.puts(1);
      statistics.putTime(System.nanoTime() - start);
    }
  }

  private void countRemove(boolean removed, long start) {
    if (statisticsEnabled && removed) {
      statistics.removals(1);
      statistics.removeTime(System.nanoTime() - start);
    }
  }

  synchronized void enableStatistics(boolean enabled) {
    configuration.setStatisticsEnabled(enabled);
    statisticsEnabled = enabled;
    if (enabled) {
      beans.register(ManagementBeans.Kind.STATISTICS, statistics);
    } else {
      beans.unregister(ManagementBeans.Kind.STATISTICS);
    }
  }

  synchronized void enableManagement(boolean enabled) {
    configuration.setManagementEnabled(enabled);
    if (enabled) {
      beans.register(ManagementBeans.Kind.CONFIGURATION, new CacheConfigurationBean(this::configuration));
    } else {
      beans.unregister(ManagementBeans.Kind.CONFIGURATION);
    }
  }

  /** This JVM's statistics of the cache (counted only while statistics are enabled). */
  public CacheStatistics statistics() {
    return statistics;
  }

  // ---------------------------------------------------------------- the rest of the API

  @Override
  public <C extends Configuration<K, V>> C getConfiguration(Class<C> clazz) {
    CompleteConfiguration<K, V> copy = configuration();
    if (clazz.isInstance(copy)) {
      return clazz.cast(copy);
    }
    throw new IllegalArgumentException("cache " + name + " has no configuration of type " + clazz.getName());
  }

  /** A copy of the configuration as it is now (listener registrations and flags included). */
  /** The declared key type: fixed at creation, unlike the rest of the configuration. */
  Class<K> keyType() {
    return configuration.getKeyType();
  }

  Class<V> valueType() {
    return configuration.getValueType();
  }

  synchronized CompleteConfiguration<K, V> configuration() {
    return new MutableConfiguration<>(configuration);
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public CacheManager getCacheManager() {
    return manager;
  }

  /** Closes the cache here: its listeners, loader, writer and expiry policy when closeable, and its beans. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    feed.close();
    listeners.close();
    closeQuietly(loader);
    closeQuietly(writer);
    closeQuietly(expiry.policy());
    beans.unregister(ManagementBeans.Kind.STATISTICS);
    beans.unregister(ManagementBeans.Kind.CONFIGURATION);
    manager.closed(this);
  }

  private void closeQuietly(@Nullable Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("cache {}: closing {} threw: {}", name, o.getClass().getName(), e.toString());
      }
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

  /**
   * Entries as they are while iterating: one SCAN page of keys at a time, each value read as it is reached
   * (an access, for the expiry policy and the statistics).
   */
  @Override
  public Iterator<Cache.Entry<K, V>> iterator() {
    checkOpen();
    Iterator<EncodedKey> keys = keysNow().iterator();
    return new Iterator<>() {
      private final ArrayDeque<Read<K, V>> ready = new ArrayDeque<>();
      private @Nullable K last;

      /**
       * Reads the next page of keys' entries all at once: one round trip's wait per page, not per entry. An
       * entry is accessed (its expiry moved, if the policy says so) when next() hands it out.
       */
      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && scanning(keys::hasNext)) {
          List<EncodedKey> page = new ArrayList<>(SCAN_PAGE);
          while (page.size() < SCAN_PAGE && scanning(keys::hasNext)) {
            page.add(scanning(keys::next));
          }
          for (EncodedKey k : page) {
            scanning(() -> await(tier.owedBefore(k))); // a journalled key's old value is never handed out
          }
          long start = System.nanoTime();
          List<RedisStore.@Nullable Found> found = readMany(page, false);
          for (int i = 0; i < page.size(); i++) {
            RedisStore.Found f = found.get(i);
            if (f != null) {
              countGet(true, start);
              ready.add(new Read<>(page.get(i), new SimpleEntry<>(decodeKey(page.get(i)), value(f.value()))));
            }
          }
        }
        return !ready.isEmpty();
      }

      @Override
      public Cache.Entry<K, V> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Read<K, V> r = ready.remove();
        touch(r.key());
        last = r.entry().getKey();
        return r.entry();
      }

      @Override
      public void remove() {
        K k = last;
        if (k == null) {
          throw new IllegalStateException("next() has not returned an entry to remove");
        }
        last = null;
        ResilientCache.this.remove(k);
      }
    };
  }

  /**
   * A step of the key scan, whose pages Redisson fetches as the iteration goes, on the client of when it
   * began: a failure there (a failover mid-iteration) becomes a cache exception; iterate again to go on.
   */
  private <T> T scanning(Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      throw translate(e instanceof CompletionException c ? c.getCause() : e);
    }
  }

  private Iterable<EncodedKey> keysNow() {
    try {
      return store.keys(SCAN_PAGE);
    } catch (RuntimeException e) {
      throw translate(e instanceof CompletionException c ? c.getCause() : e);
    }
  }

  /** An entry an iterator has read ahead, with its key as stored. */
  private record Read<K, V>(EncodedKey key, Cache.Entry<K, V> entry) {}

  /** An entry read from the cache, or handed to the writer: a snapshot, never written through. */
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

  /** A writer of supertypes takes this cache's entries as they are. */
  @SuppressWarnings("unchecked")
  private static <K, V> CacheWriter<K, V> writer(CacheWriter<? super K, ? super V> w) {
    return (CacheWriter<K, V>) Objects.requireNonNull(w, "the cache writer its factory made");
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

  @SuppressWarnings("unchecked")
  private K decodeKey(EncodedKey k) {
    return (K) codec.decodeKey(k);
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
    if (RedisFull.is(t)) {
      return new RedisFull("cache " + name + ": Redis refused the write, out of memory (used_memory reached"
          + " maxmemory, and maxmemory-policy evicts nothing); reads go on, and this is not a failover", t);
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
