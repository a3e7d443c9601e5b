package io.github.resilientjcache.jcache;

import io.github.resilientjcache.jcache.store.KeyLayout.EncodedKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Read-decide-write calls on one key of one cache take turns in this JVM, so they do not make each other
 * retry their compare-and-set; calls on other keys never wait for them (a slow writer or entry processor
 * holds up its own key only). A key's lock exists while someone holds or waits for it.
 */
final class KeyTurns {

  private static final class Turn {
    final ReentrantLock lock = new ReentrantLock();
    /** Holders and waiters; changed only inside the map's compute for the key. */
    int users;
  }

  private final ConcurrentHashMap<EncodedKey, Turn> turns = new ConcurrentHashMap<>();

  <T> T take(EncodedKey key, Supplier<T> body) {
    Turn turn = turns.compute(key, (k, t) -> {
      Turn mine = t == null ? new Turn() : t;
      mine.users++;
      return mine;
    });
    turn.lock.lock();
    try {
      return body.get();
    } finally {
      turn.lock.unlock();
      turns.computeIfPresent(key, (k, t) -> --t.users == 0 ? null : t);
    }
  }
}
