/**
 * Real Redis topologies and faults for tests, on machines without Docker.
 *
 * <p>Every fixture starts real {@code redis-server} processes on loopback, on free ports, in temporary
 * directories, and is {@link java.lang.AutoCloseable}. Entry point: {@link
 * io.github.resilientjcache.testkit.RedisTopology}.
 */
@NullMarked
package io.github.resilientjcache.testkit;

import org.jspecify.annotations.NullMarked;
