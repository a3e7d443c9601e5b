package io.github.resilientjcache.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The same paced load on one client: 90% reads of any key, 10% writes, each thread writing only its own keys
 * so that every key has one writer and a read can tell a stale value. A value is the key's write count: a read
 * that returns less than the last write acknowledged before the read began is a stale value.
 *
 * <p>A <em>warm</em> key was read before the fault and has had no write since that began after the fault or
 * failed: with a near cache, exactly the keys it must go on answering through the outage.
 */
final class ClientLoad {

  private static final int WARM = 1;
  private static final int WRITTEN_SINCE_FAULT = 2;

  final DrillClient client;
  private final int threads;
  private final int keys;
  private final long intervalNanos;
  private final AtomicLongArray inFlightSince;
  private volatile long startNanos;
  private final AtomicLongArray acked;
  private final long[] written;
  private final AtomicIntegerArray warmth;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;
  private volatile long faultNanos = Long.MAX_VALUE;
  private volatile long flipNanos = Long.MAX_VALUE;

  final LongAdder readsOk = new LongAdder();
  final LongAdder readsFailed = new LongAdder();
  final LongAdder warmReadsFailed = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder staleValues = new LongAdder();
  final LongAdder writesOk = new LongAdder();
  final LongAdder writesFailed = new LongAdder();
  final LongAdder errorsAfterRecovery = new LongAdder();
  private final AtomicLong slowestNanos = new AtomicLong();
  private final AtomicLong recoveredAtNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastErrorNanos = new AtomicLong(Long.MIN_VALUE);

  ClientLoad(DrillClient client, int threads, int keys, int rate) {
    this.client = client;
    this.threads = threads;
    this.keys = keys;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / rate;
    this.inFlightSince = new AtomicLongArray(threads);
    this.acked = new AtomicLongArray(keys);
    this.written = new long[keys];
    this.warmth = new AtomicIntegerArray(keys);
  }

  static String key(int k) {
    return "k" + k;
  }

  /** Writes every key once and reads it back, so every key is held by a near cache before the load. */
  void prefill() {
    for (int k = 0; k < keys; k++) {
      client.put(key(k), 1);
      written[k] = 1;
      acked.set(k, 1);
    }
    for (int k = 0; k < keys; k++) {
      Long v = client.get(key(k));
      if (v == null || v != 1) {
        throw new IllegalStateException(client.name() + " read " + v + " for " + key(k) + " right after writing 1");
      }
      warmth.set(k, WARM);
    }
  }

  /** Starts the load; times are reported from {@code startNanos}. */
  void start(long startNanos) {
    this.startNanos = startNanos;
    running = true;
    for (int i = 0; i < threads; i++) {
      int id = i;
      Thread t = new Thread(() -> work(id), client.name() + "-load-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  void faultInjected(long nanos) {
    faultNanos = nanos;
  }

  void flipped(long nanos) {
    flipNanos = nanos;
  }

  /** Tells the threads to stop after their current call. */
  void requestStop() {
    running = false;
  }

  /** Waits for the threads; one stuck in a call past {@code graceMillis} is left behind (it is a daemon). */
  void awaitStop(long graceMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    for (Thread t : workers) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void work(int id) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int own = (keys - id + threads - 1) / threads; // keys id, id + threads, id + 2 * threads, ...
    long next = System.nanoTime();
    while (running) {
      if (random.nextInt(10) == 0) {
        write(id, id + threads * random.nextInt(own));
      } else {
        read(id, random.nextInt(keys));
      }
      // After a slow call, go on at the pace from now: no burst to make up for it, whoever was slow.
      long now = System.nanoTime();
      next = Math.max(next + intervalNanos, now);
      long wait = next - now;
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private void read(int thread, int k) {
    long ackedBefore = acked.get(k);
    boolean warm = warmth.get(k) == WARM;
    long start = began(thread);
    try {
      Long v = client.get(key(k));
      timed(thread, start);
      readsOk.increment();
      if (v == null) {
        misses.increment();
      } else if (v < ackedBefore) {
        staleValues.increment();
      }
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      readsFailed.increment();
      if (start >= faultNanos && warm) {
        warmReadsFailed.increment();
      }
      failed(end);
    }
  }

  private void write(int thread, int k) {
    long version = ++written[k];
    long start = began(thread);
    if (start >= faultNanos) {
      warmth.set(k, WRITTEN_SINCE_FAULT);
    }
    try {
      client.put(key(k), version);
      long end = timed(thread, start);
      acked.set(k, version);
      writesOk.increment();
      if (start >= flipNanos) {
        recoveredAtNanos.accumulateAndGet(end, Math::min);
      }
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      warmth.set(k, WRITTEN_SINCE_FAULT); // a failed write takes the key out of a near cache, whenever it began
      writesFailed.increment();
      failed(end);
    }
  }

  private long began(int thread) {
    long start = System.nanoTime();
    inFlightSince.set(thread, start);
    return start;
  }

  private long timed(int thread, long start) {
    long end = System.nanoTime();
    inFlightSince.set(thread, 0);
    long took = end - start;
    slowestNanos.accumulateAndGet(took, Math::max);
    return end;
  }

  private void failed(long end) {
    lastErrorNanos.accumulateAndGet(end, Math::max);
    if (end > recoveredAtNanos.get()) {
      errorsAfterRecovery.increment();
    }
  }

  long okOps() {
    return readsOk.sum() + writesOk.sum();
  }

  long errors() {
    return readsFailed.sum() + writesFailed.sum();
  }

  /** From the DNS flip to the end of the first successful write that began after it; -1 if none did. */
  long timeToRecoverMillis() {
    long at = recoveredAtNanos.get();
    return at == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(at - flipNanos);
  }

  /** The slowest call, counting a call still unanswered now for as long as it has waited. */
  long slowestCallMillis() {
    long slowest = slowestNanos.get();
    long now = System.nanoTime();
    for (int i = 0; i < threads; i++) {
      long since = inFlightSince.get(i);
      if (since != 0) {
        slowest = Math.max(slowest, now - since);
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(slowest);
  }

  /** Calls still unanswered now (after {@link #stop}: calls that hung past the end of the run). */
  int callsInFlight() {
    int n = 0;
    for (int i = 0; i < threads; i++) {
      if (inFlightSince.get(i) != 0) {
        n++;
      }
    }
    return n;
  }

  /** When the last failed call ended, in ms from the start of the load; -1 if none failed. */
  long lastErrorAtMillis() {
    long at = lastErrorNanos.get();
    return at == Long.MIN_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(at - startNanos);
  }
}
