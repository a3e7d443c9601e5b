package io.github.resilientjcache.jcache.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a cache's entries live in Redis. Each entry is a key of its own, with no hash tag, so on Redis
 * Cluster a cache's entries spread over every slot instead of sitting on one shard:
 *
 * <pre>
 *   rjc:&lt;cache&gt;:&lt;epoch&gt;:s:&lt;key&gt;        an entry with a String key, as it is (readable in redis-cli)
 *   rjc:&lt;cache&gt;:&lt;epoch&gt;:b:&lt;base64url&gt;  an entry with any other key, serialized
 *   rjc:&lt;cache&gt;#epoch                   the cache's epoch: clear() increments it, one round trip
 *   rjc:&lt;cache&gt;#listeners               the managers listening to the cache, with their leases
 *   rjc:&lt;cache&gt;#control (channel)        clears and listener arrivals, for every manager of the cache
 *   rjc:&lt;cache&gt;#events (channel)         entry changes, published only while another manager listens
 * </pre>
 *
 * <p>The cache name is escaped so that no name can reach into another's keys or glob patterns ({@code :},
 * {@code #}, {@code %} and the glob characters become {@code %XX}).
 */
public final class KeyLayout {

  private static final String PREFIX = "rjc:";

  private final String cache;
  private final String escaped;

  public KeyLayout(String cacheName) {
    this.cache = Objects.requireNonNull(cacheName, "cacheName");
    this.escaped = escape(cacheName);
  }

  /** The cache name as given. */
  public String cacheName() {
    return cache;
  }

  /** The key of the cache's epoch counter. */
  public String epochKey() {
    return PREFIX + escaped + "#epoch";
  }

  /** The key of the registry of managers that listen to the cache. */
  public String listenersKey() {
    return PREFIX + escaped + "#listeners";
  }

  /** The channel clears and listener arrivals are announced on. */
  public String controlChannel() {
    return PREFIX + escaped + "#control";
  }

  /** The channel entry changes are published on while another manager listens. */
  public String eventsChannel() {
    return PREFIX + escaped + "#events";
  }

  /** Where every entry of {@code epoch} starts. */
  public String entryPrefix(long epoch) {
    return PREFIX + escaped + ":" + epoch + ":";
  }

  /** A glob that matches every entry of {@code epoch}, and nothing else. */
  public String entryPattern(long epoch) {
    return entryPrefix(epoch) + "*";
  }

  /** The Redis key of an entry whose cache key encodes to {@code keyBytes} ({@code text} for a String key). */
  public String entryKey(long epoch, EncodedKey key) {
    return entryPrefix(epoch) + key.suffix();
  }

  /** The epoch of an entry's Redis key of this cache, or -1 if it is not one. */
  public long epochOf(String redisKey) {
    String start = PREFIX + escaped + ":";
    if (!redisKey.startsWith(start)) {
      return -1;
    }
    int end = redisKey.indexOf(':', start.length());
    if (end < 0) {
      return -1;
    }
    try {
      return Long.parseLong(redisKey.substring(start.length(), end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The encoded cache key of an entry's Redis key, given the epoch it was listed under. */
  public EncodedKey keyOf(String redisKey, long epoch) {
    String suffix = redisKey.substring(entryPrefix(epoch).length());
    return new EncodedKey(suffix);
  }

  private static String escape(String name) {
    StringBuilder b = new StringBuilder(name.length() + 8);
    for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if (c == ':' || c == '#' || c == '%' || c == '*' || c == '?' || c == '[' || c == ']' || c == '\\'
          || c < 0x20 || c >= 0x7f) {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** A cache key as it appears in a Redis key: its text when it is a String, else its bytes in base64url. */
  public record EncodedKey(String suffix) {
    static EncodedKey ofString(String key) {
      return new EncodedKey("s:" + key);
    }

    static EncodedKey ofBytes(byte[] serialized) {
      return new EncodedKey("b:" + Base64.getUrlEncoder().withoutPadding().encodeToString(serialized));
    }

    boolean isString() {
      return suffix.startsWith("s:");
    }

    /** The key itself when it is a {@code String} (a near cache keys on it as it is), else null. */
    public @Nullable String asString() {
      return isString() ? text() : null;
    }

    String text() {
      return suffix.substring(2);
    }

    byte[] bytes() {
      return Base64.getUrlDecoder().decode(suffix.substring(2));
    }
  }
}
