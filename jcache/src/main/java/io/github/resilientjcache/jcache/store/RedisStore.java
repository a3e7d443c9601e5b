package io.github.resilientjcache.jcache.store;

import io.github.resilientjcache.core.Idempotence;
import io.github.resilientjcache.core.RedisSession;
import io.github.resilientjcache.core.RedisSupervisor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RScript;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.api.options.OptionalOptions;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.codec.StringCodec;

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

  private static final byte[] ONE = {'1'};
  private static final byte[] ZERO = {'0'};
  private static final byte[] NONE = {};

  private final RedisSupervisor redis;
  private final KeyLayout layout;
  private final AtomicLong epoch = new AtomicLong(-1);

  public RedisStore(RedisSupervisor redis, KeyLayout layout) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  /** What a read found: the value's bytes and the entry's version, or nothing. */
  public record Found(byte[] value, long version) {}

  /**
   * What a write found and did: whether the entry existed, whether the write changed it (a conditional
   * write whose condition failed, or a creation with a zero TTL, did not), and its old value if asked for.
   */
  public record Before(boolean existed, boolean changed, byte @Nullable [] oldValue) {}

  public KeyLayout layout() {
    return layout;
  }

  /** The epoch the cache's entries live under, read from Redis once (and after a clear). */
  long epoch() {
    long e = epoch.get();
    if (e >= 0) {
      return e;
    }
    String stored = redis.execute(Idempotence.READ, layout.epochKey(),
        s -> s.client().<String>getBucket(s.options(org.redisson.api.options.PlainOptions.name(layout.epochKey())
            .codec(StringCodec.INSTANCE))).getAsync());
    long read = stored == null ? 0 : Long.parseLong(stored);
    epoch.compareAndSet(-1, read);
    return epoch.get();
  }

  /** Forgets the cached epoch: the next call reads it again (another JVM may have cleared the cache). */
  public void refreshEpoch() {
    epoch.set(-1);
  }

  public String redisKey(KeyLayout.EncodedKey key) {
    return layout.entryKey(epoch(), key);
  }

  /** Reads an entry; {@code accessTtl} as for the scripts ({@link #KEEP} to leave it). */
  public CompletionStage<@Nullable Found> get(KeyLayout.EncodedKey key, long accessTtl) {
    String k = redisKey(key);
    Idempotence idempotence = accessTtl == KEEP ? Idempotence.READ : Idempotence.IDEMPOTENT;
    return this.<List<Object>>eval(idempotence, k, Scripts.GET, RScript.ReturnType.LIST, ttl(accessTtl))
        .thenApply(r -> {
          byte[] v = (byte[]) r.get(0);
          return v == null ? null : new Found(v, version(r.get(1)));
        });
  }

  /** Whether the entry exists (an access to nothing: no TTL changes). */
  public CompletionStage<Boolean> contains(KeyLayout.EncodedKey key) {
    String k = redisKey(key);
    return redis.executeAsync(Idempotence.READ, k, s -> s.client().getKeys().countExistsAsync(k))
        .thenApply(n -> n != null && n > 0);
  }

  /** Writes an entry; the TTL applied depends on whether it existed. */
  public CompletionStage<Before> put(KeyLayout.EncodedKey key, byte[] value, long createTtl, long updateTtl,
      boolean returnOld) {
    String k = redisKey(key);
    return this.<List<Object>>eval(Idempotence.IDEMPOTENT, k, Scripts.PUT, RScript.ReturnType.LIST, value,
        ttl(createTtl), ttl(updateTtl), returnOld ? ONE : ZERO).thenApply(RedisStore::before);
  }

  /** Writes an entry only if there is none (and {@code createTtl} is not {@link #EXPIRED}). */
  public CompletionStage<Before> putIfAbsent(KeyLayout.EncodedKey key, byte[] value, long createTtl) {
    String k = redisKey(key);
    return this.<List<Object>>eval(Idempotence.NON_IDEMPOTENT, k, Scripts.PUT_IF_ABSENT, RScript.ReturnType.LIST,
        value, ttl(createTtl)).thenApply(RedisStore::before);
  }

  /**
   * Replaces an entry's value if it exists (and, when {@code expected} is given, holds exactly those
   * bytes; if it holds others, {@code accessTtl} is applied as for a read).
   */
  public CompletionStage<Before> replace(KeyLayout.EncodedKey key, byte[] value, long updateTtl,
      byte @Nullable [] expected, long accessTtl, boolean returnOld) {
    String k = redisKey(key);
    return this.<List<Object>>eval(Idempotence.NON_IDEMPOTENT, k, Scripts.REPLACE, RScript.ReturnType.LIST, value,
        ttl(updateTtl), expected == null ? ZERO : ONE, expected == null ? NONE : expected, returnOld ? ONE : ZERO,
        ttl(accessTtl)).thenApply(RedisStore::before);
  }

  /**
   * Removes an entry (only if it holds {@code expected}, when given; if it holds others, {@code accessTtl}
   * is applied as for a read).
   */
  public CompletionStage<Before> remove(KeyLayout.EncodedKey key, byte @Nullable [] expected, long accessTtl,
      boolean returnOld) {
    String k = redisKey(key);
    Idempotence idempotence = expected == null && !returnOld ? Idempotence.IDEMPOTENT : Idempotence.NON_IDEMPOTENT;
    return this.<List<Object>>eval(idempotence, k, Scripts.REMOVE, RScript.ReturnType.LIST,
        expected == null ? ZERO : ONE, expected == null ? NONE : expected, returnOld ? ONE : ZERO, ttl(accessTtl))
        .thenApply(RedisStore::before);
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
    String k = redisKey(key);
    return this.<Long>eval(Idempotence.NON_IDEMPOTENT, k, Scripts.CHANGE_IF_VERSION, RScript.ReturnType.LONG,
        Long.toString(version).getBytes(StandardCharsets.US_ASCII), value == null ? ZERO : ONE,
        value == null ? NONE : value, ttl(createTtl), ttl(updateTtl)).thenApply(n -> n == 1);
  }

  /**
   * Empties the cache in one round trip: the epoch moves on, so no entry of the old one is seen again;
   * their keys are unlinked in the background (a memory matter, never a correctness one).
   */
  public CompletionStage<Void> clear() {
    String epochKey = layout.epochKey();
    return redis.executeAsync(Idempotence.NON_IDEMPOTENT, epochKey,
            s -> s.client().getAtomicLong(s.options(org.redisson.api.options.CommonOptions.name(epochKey)))
                .incrementAndGetAsync())
        .thenAccept(next -> {
          long old = epoch.getAndSet(next);
          if (old >= 0 && old != next) {
            unlinkEpoch(old);
          }
        });
  }

  private void unlinkEpoch(long old) {
    String pattern = layout.entryPattern(old);
    redis.executeAsync(Idempotence.IDEMPOTENT, s -> s.client().getKeys().unlinkByPatternAsync(pattern))
        .exceptionally(e -> null); // best effort: a later clear unlinks what is left
  }

  /**
   * The Redis keys of the cache's entries, {@code count} per SCAN round trip, on every primary (Redisson
   * scans each on Cluster). Blocks the caller between pages: for iterators, never on an event loop.
   */
  public Iterable<KeyLayout.EncodedKey> keys(int count) {
    long e = epoch();
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
        (byte[]) r.get(2));
  }

  private static long version(@Nullable Object n) {
    return n == null ? 0 : Long.parseLong(new String((byte[]) n, StandardCharsets.US_ASCII));
  }

  private static byte[] ttl(long millis) {
    return Long.toString(millis).getBytes(StandardCharsets.US_ASCII);
  }
}
