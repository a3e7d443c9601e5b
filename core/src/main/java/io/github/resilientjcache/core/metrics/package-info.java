/**
 * Micrometer meters for a {@link io.github.resilientjcache.core.RedisSupervisor}. The only package that
 * touches Micrometer (an optional dependency): the rest of core never loads it.
 */
@NullMarked
package io.github.resilientjcache.core.metrics;

import org.jspecify.annotations.NullMarked;
