package io.github.resilientjcache.jcache;

import javax.cache.CacheException;
import org.jspecify.annotations.Nullable;

/**
 * Redis cannot serve the cache's call now (down, failing over, or the supervisor recovering and failing
 * calls fast). Names the cache and the endpoint. A write that fails this way may or may not have been
 * applied when the message says so.
 */
public class CacheUnavailableException extends CacheException {
  private static final long serialVersionUID = 1L;

  public CacheUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
