package io.github.resilientjcache.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady application traffic through a supervisor while a test breaks Redis: reader threads and one
 * writer, each timing every call, counting failures, and noting when writes succeed again.
 */
final class Load implements AutoCloseable {

  private final RedisSupervisor supervisor;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger failedReads = new AtomicInteger();
  private final AtomicInteger failedWrites = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicLong longestCallNanos = new AtomicLong();
  private final AtomicLong lastWriteOkNanos = new AtomicLong();
  private final AtomicLong lastFailureNanos = new AtomicLong();
  private volatile long markNanos = Long.MAX_VALUE;
  private final AtomicLong firstWriteAfterMarkNanos = new AtomicLong();

  private Load(RedisSupervisor supervisor, int readers) {
    this.supervisor = supervisor;
    for (int i = 0; i < readers; i++) {
      threads.add(thread("reader-" + i, this::readOnce));
    }
    threads.add(thread("writer", this::writeOnce));
    threads.forEach(Thread::start);
  }

  /** Starts {@code readers} reader threads and one writer against {@code supervisor}. */
  static Load start(RedisSupervisor supervisor, int readers) {
    return new Load(supervisor, readers);
  }

  private Thread thread(String name, Runnable step) {
    Thread t = new Thread(() -> {
      while (running.get()) {
        step.run();
        LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
      }
    }, "load-" + name);
    t.setDaemon(true);
    return t;
  }

  private void readOnce() {
    long start = System.nanoTime();
    try {
      Writes.get(supervisor, "load-k");
      reads.incrementAndGet();
    } catch (RuntimeException e) {
      failedReads.incrementAndGet();
      lastFailureNanos.set(System.nanoTime());
    } finally {
      longestCallNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    }
  }

  private void writeOnce() {
    long start = System.nanoTime();
    try {
      Writes.set(supervisor, "load-k", Long.toString(start));
      long now = System.nanoTime();
      writes.incrementAndGet();
      lastWriteOkNanos.set(now);
      if (start - markNanos >= 0) {
        firstWriteAfterMarkNanos.compareAndSet(0, now);
      }
    } catch (RuntimeException e) {
      failedWrites.incrementAndGet();
      lastFailureNanos.set(System.nanoTime());
    } finally {
      longestCallNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
    }
  }

  /** From now on, the first write sent and acknowledged counts as "recovered". */
  void markFault() {
    markNanos = System.nanoTime();
    firstWriteAfterMarkNanos.set(0);
  }

  /** Time from {@link #markFault()} to the first write sent after it that succeeded, or null if none yet. */
  Duration recovery() {
    long at = firstWriteAfterMarkNanos.get();
    return at == 0 ? null : Duration.ofNanos(at - markNanos);
  }

  boolean recovered() {
    return firstWriteAfterMarkNanos.get() != 0;
  }

  int failedReads() {
    return failedReads.get();
  }

  int failedWrites() {
    return failedWrites.get();
  }

  int reads() {
    return reads.get();
  }

  int writes() {
    return writes.get();
  }

  Duration longestCall() {
    return Duration.ofNanos(longestCallNanos.get());
  }

  /** Stops the threads; idempotent. */
  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return "reads " + reads() + " (failed " + failedReads() + "), writes " + writes() + " (failed " + failedWrites()
        + "), longest call " + longestCall().toMillis() + " ms";
  }
}
