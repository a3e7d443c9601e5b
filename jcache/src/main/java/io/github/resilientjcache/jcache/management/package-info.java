/**
 * A cache's statistics and its two management beans, registered under the names the JCache spec gives
 * ({@code javax.cache:type=CacheStatistics|CacheConfiguration,CacheManager=<uri>,Cache=<name>}). Used by
 * the provider; not an API of its own.
 */
@NullMarked
package io.github.resilientjcache.jcache.management;

import org.jspecify.annotations.NullMarked;
