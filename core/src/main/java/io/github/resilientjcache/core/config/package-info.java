/**
 * The config file: a Redisson YAML config plus our own {@code resilience:}, {@code nearCache:} and
 * {@code caches:} sections, read by {@link io.github.resilientjcache.core.config.ConfigFile}.
 */
@NullMarked
package io.github.resilientjcache.core.config;

import org.jspecify.annotations.NullMarked;
