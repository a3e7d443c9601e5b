package io.github.resilientjcache.jcache;

import io.github.resilientjcache.jcache.store.RedisStore;
import javax.cache.expiry.AccessedExpiryPolicy;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import javax.cache.expiry.EternalExpiryPolicy;
import javax.cache.expiry.ExpiryPolicy;
import javax.cache.expiry.ModifiedExpiryPolicy;
import javax.cache.expiry.TouchedExpiryPolicy;
import org.jspecify.annotations.Nullable;

/**
 * A cache's expiry policy as the store's TTL arguments. The JDK's own policies answer the same whatever the
 * entry: their creation and update durations can be asked for up front and sent with a write, one round
 * trip. Any other policy is asked only what applies, when it applies (the spec says which method a call
 * consults), which can take a second round trip to learn whether the entry exists.
 */
final class Expiry {

  private final ExpiryPolicy policy;
  private final boolean fixed;
  /** For a fixed policy, its three answers, asked once. */
  private final long creation;
  private final long update;
  private final long access;

  Expiry(ExpiryPolicy policy) {
    this.policy = policy;
    Class<?> c = policy.getClass();
    this.fixed = c == EternalExpiryPolicy.class || c == CreatedExpiryPolicy.class || c == AccessedExpiryPolicy.class
        || c == ModifiedExpiryPolicy.class || c == TouchedExpiryPolicy.class;
    this.creation = fixed ? askCreation() : 0;
    this.update = fixed ? askUpdate() : 0;
    this.access = fixed ? askAccess() : 0;
  }

  /** Whether the policy's answers can be asked for before knowing the entry. */
  boolean isFixed() {
    return fixed;
  }

  ExpiryPolicy policy() {
    return policy;
  }

  long creation() {
    return fixed ? creation : askCreation();
  }

  /** For an update; {@link RedisStore#KEEP} when the policy leaves the expiry as it is. */
  long update() {
    return fixed ? update : askUpdate();
  }

  /** For an access; {@link RedisStore#KEEP} when the policy leaves the expiry as it is. */
  long access() {
    return fixed ? access : askAccess();
  }

  private long askCreation() {
    return ttl(safely(Kind.CREATION), RedisStore.ETERNAL);
  }

  private long askUpdate() {
    return ttl(safely(Kind.UPDATE), RedisStore.KEEP);
  }

  private long askAccess() {
    return ttl(safely(Kind.ACCESS), RedisStore.KEEP);
  }

  private enum Kind { CREATION, UPDATE, ACCESS }

  /**
   * The policy's answer; a policy that throws is treated as having answered nothing for an update or an
   * access (the expiry stays), and eternal for a creation, as other providers do.
   */
  private @Nullable Duration safely(Kind kind) {
    try {
      return switch (kind) {
        case CREATION -> policy.getExpiryForCreation();
        case UPDATE -> policy.getExpiryForUpdate();
        case ACCESS -> policy.getExpiryForAccess();
      };
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A JCache duration as a TTL argument: null -> {@code whenNull}, zero -> expired, eternal -> eternal. */
  private static long ttl(@Nullable Duration d, long whenNull) {
    if (d == null) {
      return whenNull;
    }
    if (d.isEternal()) {
      return RedisStore.ETERNAL;
    }
    if (d.isZero()) {
      return RedisStore.EXPIRED;
    }
    long millis = d.getTimeUnit().toMillis(d.getDurationAmount());
    return Math.max(1, millis);
  }
}
