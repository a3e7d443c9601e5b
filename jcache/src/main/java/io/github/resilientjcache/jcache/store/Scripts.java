package io.github.resilientjcache.jcache.store;

/**
 * The store's Lua scripts. Each runs one entry, atomically, in one round trip (Redisson sends it as EVALSHA
 * and loads it again after a NOSCRIPT). An entry is a hash: {@code v} the value's bytes, {@code n} its
 * version, {@code max(previous + 1, server time in microseconds)}: it only grows, across deletes too, so a
 * near cache can tell an old copy from a new one. Expiry is Redis' own ({@code PEXPIRE}).
 *
 * <p>The writing scripts take three more arguments, last: the channel to publish the change on ({@code ''}:
 * nobody else listens, publish nothing), the writer's origin id, and {@code '1'} when the message carries
 * the values (a manager elsewhere has listeners) or {@code '0'} when key and version do (near caches only
 * need those). The message is the kind ({@code c} created, {@code u} updated, {@code r} removed, {@code x}
 * gone by an update's zero TTL, which is no listener's event) followed by origin, key, version,
 * new value and old value, each {@code <length>:<bytes>} or {@code -} for none ({@link ChangeFeed} reads it).
 *
 * <p>TTL arguments, in milliseconds: {@code -1} eternal, {@code -2} keep the entry's TTL, {@code 0} expired
 * at once (the entry is not written, or removed), above 0 that many milliseconds.
 */
final class Scripts {

  private Scripts() {}

  /** Writing and touching an entry: a Lua chunk shared by the scripts. */
  private static final String COMMON = """
      -- The version a change made now gets: above the entry's (n, false if none), and Redis' clock in
      -- microseconds, so versions grow across a delete and a new write too.
      local function stamp(n)
        local t = redis.call('TIME')
        return math.max(tonumber(n or '0') + 1, tonumber(t[1]) * 1000000 + tonumber(t[2]))
      end
      -- Writes the entry, whose version is n now (false: it does not exist); returns its new version, or 0
      -- if a TTL of 0 removed it instead.
      local function write(key, value, ttl, n)
        if ttl == 0 then
          if n then redis.call('DEL', key) end
          return 0
        end
        local v = stamp(n)
        redis.call('HSET', key, 'v', value, 'n', string.format('%.0f', v))
        if ttl > 0 then
          redis.call('PEXPIRE', key, ttl)
        elseif ttl == -1 and n then
          redis.call('PERSIST', key) -- a new key has no TTL to drop
        end
        return v
      end
      local function field(x)
        if x then return #x .. ':' .. x end
        return '-'
      end
      local function publishing()
        return ARGV[#ARGV - 2] ~= ''
      end
      -- Whether the message carries the values (someone listens for events), or only key and version.
      local function withValues()
        return ARGV[#ARGV] == '1'
      end
      local function notify(kind, key, version, new, old)
        if not publishing() then return end
        if not withValues() then new, old = false, false end
        redis.call('PUBLISH', ARGV[#ARGV - 2], kind .. field(ARGV[#ARGV - 1]) .. field(key)
          .. field(string.format('%.0f', version)) .. field(new) .. field(old))
      end
      local function touch(key, ttl)
        if ttl == 0 then redis.call('DEL', key)
        elseif ttl > 0 then redis.call('PEXPIRE', key, ttl)
        elseif ttl == -1 then redis.call('PERSIST', key) end
      end
      """;

  /**
   * KEYS[1] entry; ARGV[1] access TTL (-2: leave it). Returns {value or false, version or false, the TTL
   * left in milliseconds (-1: none), after the access}; an access TTL of 0 removes the entry after reading it.
   */
  static final String GET = COMMON + """
      local r = redis.call('HMGET', KEYS[1], 'v', 'n')
      if not r[1] then return {false, false, 0} end
      touch(KEYS[1], tonumber(ARGV[1]))
      return {r[1], r[2], redis.call('PTTL', KEYS[1])}
      """;

  // The writing scripts return {existed 0|1, changed 0|1, old value or false, the version the change gave
  // the entry (for a removal: the removal's), 0 when nothing changed}.

  /**
   * KEYS[1] entry; ARGV[1] value, ARGV[2] TTL if created, ARGV[3] TTL if it existed, ARGV[4] '1' to
   * return the old value. A creation with a TTL of 0 writes nothing (changed 0).
   */
  static final String PUT = COMMON + """
      local n = redis.call('HGET', KEYS[1], 'n')
      local existed = n and 1 or 0
      local old = false
      if n and (ARGV[4] == '1' or withValues()) then old = redis.call('HGET', KEYS[1], 'v') end
      local ttl = tonumber(n and ARGV[3] or ARGV[2])
      if n or ttl ~= 0 then
        local v = write(KEYS[1], ARGV[1], ttl, n)
        if v ~= 0 then
          notify(existed == 1 and 'u' or 'c', KEYS[1], v, ARGV[1], old)
        else
          v = stamp(n)
          notify('x', KEYS[1], v, false, old)
        end
        return {existed, 1, ARGV[4] == '1' and old or false, v}
      end
      return {existed, 0, false, 0}
      """;

  /** KEYS[1] entry; ARGV[1] value, ARGV[2] TTL. Writes only if absent (and the TTL is not 0). */
  static final String PUT_IF_ABSENT = COMMON + """
      if redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0, false, 0} end
      local ttl = tonumber(ARGV[2])
      if ttl == 0 then return {0, 0, false, 0} end
      local v = write(KEYS[1], ARGV[1], ttl, false)
      notify('c', KEYS[1], v, ARGV[1], false)
      return {0, 1, false, v}
      """;

  /**
   * KEYS[1] entry; ARGV[1] new value, ARGV[2] TTL, ARGV[3] '1' when ARGV[4] is the value it must have,
   * ARGV[5] '1' to return the old value, ARGV[6] the access TTL to apply when the value does not match.
   */
  static final String REPLACE = COMMON + """
      local r = redis.call('HMGET', KEYS[1], 'v', 'n')
      local old = r[1]
      if not old then return {0, 0, false, 0} end
      local keep = ARGV[5] == '1' and old or false
      if ARGV[3] == '1' and old ~= ARGV[4] then
        touch(KEYS[1], tonumber(ARGV[6]))
        return {1, 0, keep, 0}
      end
      local v = write(KEYS[1], ARGV[1], tonumber(ARGV[2]), r[2])
      if v ~= 0 then
        notify('u', KEYS[1], v, ARGV[1], old)
      else
        v = stamp(r[2])
        notify('x', KEYS[1], v, false, old)
      end
      return {1, 1, keep, v}
      """;

  /**
   * KEYS[1] entry; ARGV[1] '1' when ARGV[2] is the value it must have, ARGV[3] '1' to return the old
   * value, ARGV[4] the access TTL to apply when the value does not match.
   */
  static final String REMOVE = COMMON + """
      local r = redis.call('HMGET', KEYS[1], 'v', 'n')
      local old = r[1]
      if not old then return {0, 0, false, 0} end
      local keep = ARGV[3] == '1' and old or false
      if ARGV[1] == '1' and old ~= ARGV[2] then
        touch(KEYS[1], tonumber(ARGV[4]))
        return {1, 0, keep, 0}
      end
      redis.call('DEL', KEYS[1])
      local v = stamp(r[2])
      notify('r', KEYS[1], v, false, old)
      return {1, 1, keep, v}
      """;

  /**
   * KEYS[1] entry; ARGV[1] the version it must have ('0': it must not exist), ARGV[2] '1' to write, '0' to
   * remove, ARGV[3] value, ARGV[4] TTL if created, ARGV[5] TTL if it existed. Returns 1 if it did, 0 if the
   * entry changed meanwhile.
   */
  static final String CHANGE_IF_VERSION = COMMON + """
      local r = redis.call('HMGET', KEYS[1], 'n', 'v')
      local n, old = r[1], r[2]
      if (n or '0') ~= ARGV[1] then return 0 end
      if ARGV[2] == '0' then
        if n then
          redis.call('DEL', KEYS[1])
          notify('r', KEYS[1], stamp(n), false, old)
        end
        return 1
      end
      local ttl = tonumber(n and ARGV[5] or ARGV[4])
      if n or ttl ~= 0 then
        local v = write(KEYS[1], ARGV[3], ttl, n)
        if v ~= 0 then
          notify(n and 'u' or 'c', KEYS[1], v, ARGV[3], old)
        else
          notify('x', KEYS[1], stamp(n), false, old)
        end
      end
      return 1
      """;

  /**
   * KEYS[1] the epoch counter; ARGV[1] the control channel, ARGV[2] the events channel. Moves the cache to
   * a new epoch and tells every manager of the cache, on both channels: near caches check that the events
   * channel delivers (their beacon), not the control channel. Returns the new epoch.
   */
  static final String CLEAR = """
      local e = redis.call('INCR', KEYS[1])
      redis.call('PUBLISH', ARGV[1], 'C' .. e)
      redis.call('PUBLISH', ARGV[2], 'C' .. e)
      return e
      """;

  /** Now, in milliseconds of Redis' clock. */
  private static final String NOW = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      """;

  /**
   * KEYS[1] the listener registry; ARGV[1] a member (an origin, with what it wants), ARGV[2] its lease in ms,
   * ARGV[3] the same origin's other member, removed. The registry lives twice the lease. Returns 1 if the
   * member was not there (0 if it was).
   */
  static final String RENEW_LEASE = NOW + """
      redis.call('ZREM', KEYS[1], ARGV[3])
      local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
      redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
      return added
      """;

  /** KEYS[1] the listener registry. Returns the origins whose lease has not ended. */
  static final String LIVE_LEASES = NOW + """
      return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
      """;
}
