package io.github.resilientjcache.core;

/**
 * What happened to the supervisor's calls since it started, counted per attempt: a call retried after a
 * failure counts once under {@code failed} and again under its final outcome. Counters for metrics, kept
 * without locks or per-call allocation.
 *
 * @param succeeded attempts that completed with a result (or with an application error: Redis answered)
 * @param failed attempts that failed on a failover signal (connection, timeout, topology change, READONLY)
 * @param rejected calls refused without reaching Redis, because the failure counter was open
 * @param overloaded attempts refused by an overload ({@link RedisOverloadedException})
 * @param retried attempts made after the first: retries after a failure, and reads sent again
 */
public record CallCounts(long succeeded, long failed, long rejected, long overloaded, long retried) {}
