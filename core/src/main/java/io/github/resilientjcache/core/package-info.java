/**
 * The resilient Redis client: a {@link io.github.resilientjcache.core.RedisSupervisor} owns the current
 * {@code RedissonClient}, counts failover signals, and replaces the client when its node died, froze,
 * was demoted or moved to another address.
 */
@NullMarked
package io.github.resilientjcache.core;

import org.jspecify.annotations.NullMarked;
