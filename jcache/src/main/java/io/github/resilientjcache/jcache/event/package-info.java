/**
 * Cache entry events: the listener registrations of a cache and how events reach them (synchronous ones
 * before the call returns, the others in order on the cache's own thread). Used by the provider; not an API
 * of its own.
 */
@NullMarked
package io.github.resilientjcache.jcache.event;

import org.jspecify.annotations.NullMarked;
