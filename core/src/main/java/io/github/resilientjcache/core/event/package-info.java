/** What the supervisor tells listeners: state changes, rebuilds, client generations. */
@NullMarked
package io.github.resilientjcache.core.event;

import org.jspecify.annotations.NullMarked;
