/**
 * The near cache: a Caffeine tier in front of a Redis-backed cache, holding entries with their Redis
 * versions, invalidated by version, serving reads for a bounded time while Redis is away, and the journal of
 * keys whose write failed. It knows no {@code javax.cache} type; the jcache module wires it.
 */
@NullMarked
package io.github.resilientjcache.core.near;

import org.jspecify.annotations.NullMarked;
