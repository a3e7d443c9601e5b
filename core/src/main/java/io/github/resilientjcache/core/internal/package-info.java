/** The supervisor's machinery; not API, may change in any release. */
@NullMarked
package io.github.resilientjcache.core.internal;

import org.jspecify.annotations.NullMarked;
