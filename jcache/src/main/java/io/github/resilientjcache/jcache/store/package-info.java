/**
 * The Redis store under the JCache provider: where entries live ({@link
 * io.github.resilientjcache.jcache.store.KeyLayout}), how keys and values become bytes ({@link
 * io.github.resilientjcache.jcache.store.ValueCodec}), and the one-round-trip operations on them ({@link
 * io.github.resilientjcache.jcache.store.RedisStore}).
 */
@NullMarked
package io.github.resilientjcache.jcache.store;

import org.jspecify.annotations.NullMarked;
