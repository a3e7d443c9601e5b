package io.github.resilientjcache.core;

/**
 * How the supervisor's calls ended, since it started: counters for metrics, kept without locks or
 * per-call allocation.
 *
 * @param succeeded completed with a result (or with an application error: Redis answered)
 * @param failed failed on a failover signal (connection, timeout, topology change, READONLY)
 * @param rejected failed fast without reaching Redis, because the failure counter was open
 * @param overloaded refused by an overload ({@link RedisOverloadedException})
 */
public record CallCounts(long succeeded, long failed, long rejected, long overloaded) {}
