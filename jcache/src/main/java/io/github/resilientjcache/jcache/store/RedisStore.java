package io.github.resilientjcache.jcache.store;

import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisSession;
import io.github.resilientjcache.core.RedisSupervisor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.api.options.MapOptions;
import org.redisson.api.options.OptionalOptions;
import org.redisson.api.options.PlainOptions;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;
import org.redisson.codec.CompositeCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's entries in Redis, every call through the supervisor: so a rebuilt client is used from the
 * next call on, with nothing to rebind. Works on bytes and encoded keys; the cache above owns the JCache
 * semantics (what to call when, events, statistics). Every single-entry operation is one round trip.
 */
public final class RedisStore {

  /** A TTL argument meaning: the entry lives for ever. */
  public static final long ETERNAL = -1;
  /** A TTL argument meaning: leave the entry's TTL as it is. */
  public static final long KEEP = -2;
  /** A TTL argument meaning: expired at once (not written, or removed). */
  public static final long EXPIRED = 0;

  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
  private static final RScript.ReturnType LIST = RScript.ReturnType.LIST;
  /** An entry's hash: field names as text, values as bytes. */
  private static final CompositeCodec FIELDS = new CompositeCodec(StringCodec.INSTANCE, ByteArrayCodec.INSTANCE,
      ByteArrayCodec.INSTANCE);
  private static final Set<String> VALUE_AND_VERSION = Set.of("v", "n");
  private static final byte[] ONE = {'1'};
  private static final byte[] ZERO = {'0'};
  private static final byte[] NONE = {};

  private final RedisSupervisor redis;
  private final KeyLayout layout;
  /** The epoch last known here (-1: never read); kept while stale, to tell old events from new ones. */
  private final AtomicLong epoch = new AtomicLong(-1);
  /** Whether the epoch must be read again before use: at first, and after a possible missed clear. */
  private volatile boolean stale = true;
  /** Where the writing scripts publish their changes, as whom, with the values or not; empty: nobody listens. */
  private volatile Publishing publishing = new Publishing(NONE, NONE, ZERO);

  private record Publishing(byte[] channel, byte[] origin, byte[] values) {}

  /**
   * Told when the epoch moves on (a clear, here or elsewhere; whatever a near cache holds is gone): {@code
   * true} when it was found by reading the epoch again, so the clear's message was missed.
   */
  private volatile java.util.function.Consumer<Boolean> epochMoved = missed -> {};

  public RedisStore(RedisSupervisor redis, KeyLayout layout) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  /** A TTL read back meaning: not asked for. */
  public static final long UNKNOWN = -2;

  /**
   * What a read found: the value's bytes, the entry's version, and the TTL left in milliseconds ({@link
   * #ETERNAL} for none, {@link #UNKNOWN} when not asked for), or nothing.
   */
  public record Found(byte[] value, long version, long ttl) {}

  /**
   * What a write found and did: whether the entry existed, whether the write changed it (a conditional
   * write whose condition failed, or a creation with a zero TTL, did not), its old value if asked for, and
   * the version the change gave the entry (a removal's own, for a removal; 0 when nothing changed).
   */
  public record Before(boolean existed, boolean changed, byte @Nullable [] oldValue, long version) {}

  public KeyLayout layout() {
    return layout;
  }

  /**
   * The epoch the cache's entries live under: known here after the first read, moved on by clears (ours at
   * once, others' through the control channel), read again after a possible miss ({@link #refreshEpoch}).
   */
  private CompletionStage<Long> epoch() {
    long e = epoch.get();
    if (!stale && e >= 0) {
      return CompletableFuture.completedFuture(e);
    }
    String key = layout.epochKey();
    return redis.<String>executeAsync(Idempotence.READ, key,
            s -> s.client().<String>getBucket(s.options(PlainOptions.name(key).codec(StringCodec.INSTANCE))).getAsync())
        .thenApply(stored -> {
          // What Redis says, even if lower: a server restarted empty starts the cache again at 0.
          long read = stored == null ? 0 : Long.parseLong(stored);
          long before = epoch.getAndSet(read);
          stale = false;
          if (before >= 0 && before != read) {
            epochMoved.accept(true); // a clear this manager missed, or a server that restarted empty
          }
          return read;
        });
  }

  /** Runs {@code op} on the Redis key of {@code key}, under the current epoch. */
  private <T> CompletionStage<T> onKey(KeyLayout.EncodedKey key,
      java.util.function.Function<String, CompletionStage<T>> op) {
    return epoch().thenCompose(e -> op.apply(layout.entryKey(e, key)));
  }

  /** Moves to {@code next} unless the epoch known here is newer: another manager cleared the cache. */
  void epochIsAtLeast(long next) {
    long before = epoch.getAndAccumulate(next, Math::max);
    if (before < next) {
      epochMoved.accept(false);
    }
  }

  /**
   * Runs {@code action} whenever the epoch moves on (on the thread that learnt it: it must not block), with
   * {@code true} when the move was found by reading the epoch again rather than by its message.
   */
  public void onEpochMoved(java.util.function.Consumer<Boolean> action) {
    epochMoved = Objects.requireNonNull(action, "action");
  }

  /**
   * Makes the writing scripts publish each change on {@code channel}, as coming from {@code origin}, with
   * the values when {@code withValues} (else key and version only), or ({@code null}) publish nothing: the
   * {@link ChangeFeed} decides, from who else listens.
   */
  void publishTo(@Nullable String channel, String origin, boolean withValues) {
    publishing = channel == null ? new Publishing(NONE, NONE, ZERO)
        : new Publishing(channel.getBytes(StandardCharsets.UTF_8), origin.getBytes(StandardCharsets.UTF_8),
            withValues ? ONE : ZERO);
  }

  /** Whether the writing scripts publish their changes now. */
  boolean isPublishing() {
    return publishing.channel().length > 0;
  }

  /** Forgets the cached epoch: the next call reads it again (another JVM may have cleared the cache). */
  public void refreshEpoch() {
    stale = true;
  }

  /**
   * The encoded cache key of one of this cache's Redis keys, as another manager's change names it; null if
   * it is not one, or lives under an epoch a clear has ended.
   */
  public KeyLayout.@Nullable EncodedKey keyOf(String redisKey) {
    long e = layout.epochOf(redisKey);
    long now = epoch.get();
    if (e < 0 || (now >= 0 && e < now)) {
      return null;
    }
    return layout.keyOf(redisKey, e);
  }

  /**
   * Reads an entry; {@code accessTtl} as for the scripts ({@link #KEEP} to leave it). A read that changes
   * no TTL is a plain HMGET: cheaper for Redis than a script, and fewer bytes.
   */
  public CompletionStage<@Nullable Found> get(KeyLayout.EncodedKey key, long accessTtl) {
    return get(key, accessTtl, false);
  }

  /** Reads an entry, and with {@code withTtl} the TTL it has left (for a near cache to keep it no longer). */
  public CompletionStage<@Nullable Found> get(KeyLayout.EncodedKey key, long accessTtl, boolean withTtl) {
    if (accessTtl == KEEP && !withTtl) {
      return onKey(key, k -> redis.<Map<String, byte[]>>executeAsync(Idempotence.READ, k,
              s -> s.client().<String, byte[]>getMap(s.options(MapOptions.<String, byte[]>name(k).codec(FIELDS)))
                  .getAllAsync(VALUE_AND_VERSION))
          .thenApply(r -> {
            byte[] v = r.get("v");
            return v == null ? null : new Found(v, version(r.get("n")), UNKNOWN);
          }));
    }
    return onKey(key, k -> this.<List<Object>>eval(Idempotence.IDEMPOTENT, k, Scripts.GET, LIST, ttl(accessTtl))
        .thenApply(r -> {
          byte[] v = (byte[]) r.get(0);
          return v == null ? null : new Found(v, version(r.get(1)), ((Number) r.get(2)).longValue());
        }));
  }

  /**
   * The version of each entry now, 0 where there is none: what a near cache compares with what it holds.
   * One HGET per key, all sent at once.
   */
  public CompletionStage<List<Long>> versions(List<KeyLayout.EncodedKey> keys) {
    return epoch().thenCompose(e -> {
      List<CompletableFuture<Long>> reads = new java.util.ArrayList<>(keys.size());
      for (KeyLayout.EncodedKey key : keys) {
        String k = layout.entryKey(e, key);
        reads.add(redis.<byte[]>executeAsync(Idempotence.READ, k, s -> s.client()
            .<String, byte[]>getMap(s.options(MapOptions.<String, byte[]>name(k).codec(FIELDS))).getAsync("n"))
            .thenApply(RedisStore::version).toCompletableFuture());
      }
      return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
          .thenApply(x -> reads.stream().map(CompletableFuture::join).toList());
    });
  }

  /** Whether the entry exists (an access to nothing: no TTL changes). */
  public CompletionStage<Boolean> contains(KeyLayout.EncodedKey key) {
    return onKey(key, k -> redis.executeAsync(Idempotence.READ, k, s -> s.client().getKeys().countExistsAsync(k))
        .thenApply(n -> n != null && n > 0));
  }

  /** Writes an entry; the TTL applied depends on whether it existed. */
  public CompletionStage<Before> put(KeyLayout.EncodedKey key, byte[] value, long createTtl, long updateTtl,
      boolean returnOld) {
    return onKey(key, k -> this.<List<Object>>write(Idempotence.IDEMPOTENT, k, Scripts.PUT, LIST, value,
        ttl(createTtl), ttl(updateTtl), returnOld ? ONE : ZERO).thenApply(RedisStore::before));
  }

  /** Writes an entry only if there is none (and {@code createTtl} is not {@link #EXPIRED}). */
  public CompletionStage<Before> putIfAbsent(KeyLayout.EncodedKey key, byte[] value, long createTtl) {
    return onKey(key, k -> this.<List<Object>>write(Idempotence.NON_IDEMPOTENT, k, Scripts.PUT_IF_ABSENT, LIST,
        value, ttl(createTtl)).thenApply(RedisStore::before));
  }

  /**
   * Replaces an entry's value if it exists (and, when {@code expected} is given, holds exactly those
   * bytes; if it holds others, {@code accessTtl} is applied as for a read).
   */
  public CompletionStage<Before> replace(KeyLayout.EncodedKey key, byte[] value, long updateTtl,
      byte @Nullable [] expected, long accessTtl, boolean returnOld) {
    return onKey(key, k -> this.<List<Object>>write(Idempotence.NON_IDEMPOTENT, k, Scripts.REPLACE, LIST, value,
        ttl(updateTtl), expected == null ? ZERO : ONE, expected == null ? NONE : expected, returnOld ? ONE : ZERO,
        ttl(accessTtl)).thenApply(RedisStore::before));
  }

  /**
   * Removes an entry (only if it holds {@code expected}, when given; if it holds others, {@code accessTtl}
   * is applied as for a read).
   */
  public CompletionStage<Before> remove(KeyLayout.EncodedKey key, byte @Nullable [] expected, long accessTtl,
      boolean returnOld) {
    Idempotence idempotence = expected == null && !returnOld ? Idempotence.IDEMPOTENT : Idempotence.NON_IDEMPOTENT;
    return onKey(key, k -> this.<List<Object>>write(idempotence, k, Scripts.REMOVE, LIST,
        expected == null ? ZERO : ONE, expected == null ? NONE : expected, returnOld ? ONE : ZERO, ttl(accessTtl))
        .thenApply(RedisStore::before));
  }

  /** Removes an entry, unconditionally. */
  public CompletionStage<Before> remove(KeyLayout.EncodedKey key, boolean returnOld) {
    return remove(key, null, KEEP, returnOld);
  }

  /**
   * Writes ({@code value} non-null) or removes the entry only if its version is still {@code version} (0:
   * it must not exist): the compare-and-set under {@code invoke}. True if it did; false if another writer
   * changed the entry meanwhile.
   */
  public CompletionStage<Boolean> changeIfVersion(KeyLayout.EncodedKey key, long version, byte @Nullable [] value,
      long createTtl, long updateTtl) {
    return onKey(key, k -> this.<Long>write(Idempotence.NON_IDEMPOTENT, k, Scripts.CHANGE_IF_VERSION,
        RScript.ReturnType.LONG, Long.toString(version).getBytes(StandardCharsets.US_ASCII), value == null ? ZERO : ONE,
        value == null ? NONE : value, ttl(createTtl), ttl(updateTtl)).thenApply(n -> n == 1));
  }

  /**
   * Empties the cache in one round trip: the epoch moves on, so no entry of the old one is seen again, and
   * every manager of the cache is told on its control channel; the old entries' keys are unlinked in the
   * background (a memory matter, never a correctness one).
   */
  public CompletionStage<Void> clear() {
    String epochKey = layout.epochKey();
    byte[] control = layout.controlChannel().getBytes(StandardCharsets.UTF_8);
    byte[] events = layout.eventsChannel().getBytes(StandardCharsets.UTF_8);
    return redis.<Long>executeAsync(Idempotence.NON_IDEMPOTENT, epochKey, s -> scripting(s).<Long>evalAsync(
            RScript.Mode.READ_WRITE, Scripts.CLEAR, RScript.ReturnType.LONG, List.of(epochKey), control, events))
        .thenAccept(next -> {
          // Never back: our own announcement, or a later clear's, may have arrived before this reply.
          epochIsAtLeast(next);
          unlinkEpoch(next - 1); // the epoch this clear ended, whoever moved us past it
        });
  }

  private void unlinkEpoch(long old) {
    String pattern = layout.entryPattern(old);
    redis.executeAsync(Idempotence.IDEMPOTENT, s -> s.client().getKeys().unlinkByPatternAsync(pattern))
        .exceptionally(e -> {
          // Never read again, so never a correctness matter; what is left goes with its TTL, or by hand.
          log.warn("cache {}: unlinking the entries of epoch {} after a clear failed ({}); they stay until they"
              + " expire, or: redis-cli --scan --pattern '{}' | xargs redis-cli unlink", layout.cacheName(), old,
              e.toString(), pattern);
          return null;
        });
  }

  /**
   * The Redis keys of the cache's entries, {@code count} per SCAN round trip, on every primary (Redisson
   * scans each on Cluster). Blocks the caller between pages: for iterators, never on an event loop.
   */
  public Iterable<KeyLayout.EncodedKey> keys(int count) {
    long e = epoch().toCompletableFuture().join();
    String pattern = layout.entryPattern(e);
    Iterable<String> names = redis.execute(Idempotence.READ, s -> CompletableFuture.completedFuture(
        s.client().getKeys().getKeys(KeysScanOptions.defaults().pattern(pattern).chunkSize(count))));
    return () -> new java.util.Iterator<>() {
      private final java.util.Iterator<String> it = names.iterator();

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public KeyLayout.EncodedKey next() {
        return layout.keyOf(it.next(), e);
      }
    };
  }

  /** Runs a writing script: its arguments, then where to publish the change, as whom, and with what. */
  private <T> CompletionStage<T> write(Idempotence idempotence, String key, String script,
      RScript.ReturnType type, byte[]... args) {
    return redis.executeAsync(idempotence, key, s -> {
      // Read per attempt: a retry publishes to whoever listens by the time it is sent.
      Publishing p = publishing;
      Object[] all = java.util.Arrays.copyOf(args, args.length + 3, Object[].class);
      all[args.length] = p.channel();
      all[args.length + 1] = p.origin();
      all[args.length + 2] = p.values();
      return scripting(s).<T>evalAsync(RScript.Mode.READ_WRITE, script, type, List.of(key), all);
    });
  }

  private <T> CompletionStage<T> eval(Idempotence idempotence, String key, String script,
      RScript.ReturnType type, byte[]... args) {
    Object[] values = args;
    return redis.executeAsync(idempotence, key, s -> scripting(s).<T>evalAsync(RScript.Mode.READ_WRITE, script, type,
        List.of(key), values));
  }

  private static RScript scripting(RedisSession s) {
    return s.client().getScript(s.options(OptionalOptions.defaults().codec(ByteArrayCodec.INSTANCE)));
  }

  private static Before before(List<Object> r) {
    return new Before(((Number) r.get(0)).longValue() == 1, ((Number) r.get(1)).longValue() == 1,
        (byte[]) r.get(2), ((Number) r.get(3)).longValue());
  }

  private static long version(@Nullable Object n) {
    return n == null ? 0 : Long.parseLong(new String((byte[]) n, StandardCharsets.US_ASCII));
  }

  private static byte[] ttl(long millis) {
    return Long.toString(millis).getBytes(StandardCharsets.US_ASCII);
  }
}
