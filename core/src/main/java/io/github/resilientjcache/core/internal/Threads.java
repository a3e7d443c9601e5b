package io.github.resilientjcache.core.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The supervisor's own threads: named for a thread dump, daemons, never holding a JVM up. */
final class Threads {

  private Threads() {}

  static ScheduledExecutorService singleThreadScheduler(String threadName) {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, daemon(threadName));
    e.setRemoveOnCancelPolicy(true);
    // On shutdown, tasks already handed over still run (a client arriving must still be closed); loops and
    // timers do not.
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    e.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    return e;
  }

  static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

}
