/**
 * The JSR-107 (JCache) provider on Redis: {@link io.github.resilientjcache.jcache.ResilientCachingProvider}
 * (name it: Redisson's jar registers a provider too), its managers and caches.
 */
@NullMarked
package io.github.resilientjcache.jcache;

import org.jspecify.annotations.NullMarked;
