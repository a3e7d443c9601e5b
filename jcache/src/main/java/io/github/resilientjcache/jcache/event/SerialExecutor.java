package io.github.resilientjcache.jcache.event;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Runs tasks one at a time, in submission order, on threads borrowed from a shared executor: a cache's
 * asynchronous listeners see its changes in order without a thread of their own.
 */
public final class SerialExecutor implements Executor {

  private final Executor threads;
  private final Queue<Runnable> queue = new ArrayDeque<>();
  private @Nullable Runnable active;

  public SerialExecutor(Executor threads) {
    this.threads = Objects.requireNonNull(threads, "threads");
  }

  @Override
  public synchronized void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    queue.add(() -> {
      try {
        task.run();
      } finally {
        next();
      }
    });
    if (active == null) {
      next();
    }
  }

  private synchronized void next() {
    active = queue.poll();
    if (active != null) {
      threads.execute(active);
    }
  }
}
