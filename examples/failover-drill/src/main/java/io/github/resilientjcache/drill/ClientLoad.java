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
import org.jspecify.annotations.Nullable;

/**
 * The same paced load on one client: 90% reads of any key, 10% writes, each thread writing only its own keys
 * so that every key has one writer and a read can tell a stale value. A value is the key's write count: a read
 * that returns less than the last write acknowledged before the read began is a stale value.
 *
 * <p>A second instance of the same client, the <em>peer</em> (another JVM in real life), writes keys of its
 * own ({@code p0}, {@code p1}, ...) one after another; a tenth of the reads are of those keys. A read of a
 * peer key is stale when it returns less than a write the peer had acknowledged {@link #PEER_GRACE_MS} before
 * the read began: what a near cache would serve if it missed an invalidation, in normal times or after an
 * outage. A read made while the near cache is out of sync is not judged: it is a stale read served, by design.
 *
 * <p>A <em>warm</em> key was read before the fault and held by the near cache when the fault came (for a client
 * without one: read before the fault), and no write to it began after the fault, failed, or was in flight
 * during the read: exactly the keys a near cache must go on answering through the outage.
 */
final class ClientLoad {

  static final int PEER_KEYS = 100;
  static final int PEER_WRITES_PER_SECOND = 20;
  /** How long an invalidation may take to reach another instance before its old value counts as stale. */
  static final long PEER_GRACE_MS = 1_000;
  private static final int WARM = 1;
  private static final int WRITTEN_SINCE_FAULT = 2;
  /** Read before the fault, but not in the near cache when it came. */
  private static final int NOT_HELD = 3;
  private volatile int heldAtFault;

  final DrillClient client;
  private final int threads;
  private final int keys;
  private final long intervalNanos;
  private final AtomicLongArray inFlightSince;
  private volatile long startNanos;
  private final AtomicLongArray acked;
  private final AtomicLongArray ackedAt;
  private final long[] written;
  private final AtomicIntegerArray warmth;
  private final AtomicIntegerArray writing;
  private final java.util.concurrent.ConcurrentLinkedQueue<String> warmFailures =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running;
  private volatile long faultNanos = Long.MAX_VALUE;
  private volatile long faultDoneNanos = Long.MIN_VALUE;
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

  private final @Nullable DrillClient peer;
  private final AtomicLongArray peerAcked = new AtomicLongArray(PEER_KEYS);
  private final AtomicLongArray peerAckedAt = new AtomicLongArray(PEER_KEYS);
  private final AtomicLongArray peerPreviousAckedAt = new AtomicLongArray(PEER_KEYS);
  final LongAdder lostWrites = new LongAdder();
  final LongAdder peerWritesFailed = new LongAdder();
  final LongAdder stalePeerValues = new LongAdder();
  private final java.util.concurrent.ConcurrentLinkedQueue<String> staleReads =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  ClientLoad(DrillClient client, @Nullable DrillClient peer, int threads, int keys, int rate) {
    this.client = client;
    this.peer = peer;
    this.threads = threads;
    this.keys = keys;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / rate;
    this.inFlightSince = new AtomicLongArray(threads);
    this.acked = new AtomicLongArray(keys);
    this.ackedAt = new AtomicLongArray(keys);
    this.written = new long[keys];
    this.warmth = new AtomicIntegerArray(keys);
    this.writing = new AtomicIntegerArray(keys);
  }

  static String key(int k) {
    return "k" + k;
  }

  static String peerKey(int k) {
    return "p" + k;
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
    if (peer != null) {
      long now = System.nanoTime();
      for (int k = 0; k < PEER_KEYS; k++) {
        peer.put(peerKey(k), 1);
        peerAckedAt.set(k, now);
        peerAcked.set(k, 1);
        client.get(peerKey(k));
      }
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
    if (peer != null) {
      Thread t = new Thread(this::peerWrites, client.name() + "-peer");
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** The peer writes its keys one after another, at its own pace; each key is written every 5 s. */
  private void peerWrites() {
    DrillClient p = java.util.Objects.requireNonNull(peer);
    long[] versions = new long[PEER_KEYS];
    java.util.Arrays.fill(versions, 1);
    long interval = TimeUnit.SECONDS.toNanos(1) / PEER_WRITES_PER_SECOND;
    long next = System.nanoTime();
    int k = 0;
    while (running) {
      long version = ++versions[k];
      try {
        p.put(peerKey(k), version);
        peerPreviousAckedAt.set(k, peerAckedAt.get(k));
        peerAckedAt.set(k, System.nanoTime()); // the times first: a reader that sees the version sees them too
        peerAcked.set(k, version);
      } catch (RuntimeException e) {
        peerWritesFailed.increment();
      }
      k = (k + 1) % PEER_KEYS;
      long now = System.nanoTime();
      next = Math.max(next + interval, now);
      LockSupport.parkNanos(next - now);
    }
  }

  /** Called just before the fault: which keys the near cache holds now (all warm ones, without one). */
  void faultInjected(long nanos) {
    int held = 0;
    for (int k = 0; k < keys; k++) {
      Boolean holds = client.nearHolds(key(k));
      if (holds != null && !holds && warmth.get(k) == WARM) {
        warmth.set(k, NOT_HELD);
      } else {
        held++;
      }
    }
    heldAtFault = held;
    faultNanos = nanos;
  }

  /** Keys held in the near cache (or, without one, read before) when the fault came. */
  int heldAtFault() {
    return heldAtFault;
  }

  void faultDone(long nanos) {
    faultDoneNanos = nanos;
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
      } else if (peer != null && random.nextInt(10) == 0) {
        readPeer(id, random.nextInt(PEER_KEYS));
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
    long ackedBeforeAt = ackedAt.get(k);
    boolean inSync = client.inSync();
    boolean warm = warmth.get(k) == WARM && writing.get(k) == 0;
    long start = began(thread);
    try {
      Long v = client.get(key(k));
      timed(thread, start);
      readsOk.increment();
      if (v == null) {
        misses.increment();
      } else if (v < ackedBefore && inSync && client.inSync()) {
        stale(key(k), start, v, ackedBefore, ackedBeforeAt, false);
      }
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      readsFailed.increment();
      if (start >= faultNanos && warm && warmth.get(k) == WARM) {
        warmReadsFailed.increment();
        if (warmFailures.size() < 5) {
          warmFailures.add(key(k) + " at " + TimeUnit.NANOSECONDS.toMillis(start - startNanos) + " ms: " + e);
        }
      }
      failed(end);
    }
  }

  private void readPeer(int thread, int k) {
    long version = peerAcked.get(k);
    long ackedAt = peerAckedAt.get(k);
    long start = began(thread);
    // Versions of a key are written 5 s apart, so the one before the last was acknowledged long enough ago.
    boolean longAgo = start - ackedAt >= TimeUnit.MILLISECONDS.toNanos(PEER_GRACE_MS);
    long required = longAgo ? version : version - 1;
    long requiredAckedAt = longAgo ? ackedAt : peerPreviousAckedAt.get(k);
    boolean inSync = client.inSync();
    try {
      Long v = client.get(peerKey(k));
      timed(thread, start);
      readsOk.increment();
      if (v == null) {
        misses.increment();
      } else if (v < required && inSync && client.inSync()) {
        stale(peerKey(k), start, v, required, requiredAckedAt, true);
      }
    } catch (RuntimeException e) {
      readsFailed.increment();
      failed(timed(thread, start));
    }
  }

  /**
   * A read older than a write acknowledged before it: the client's staleness, unless that write was acknowledged
   * in the failover's window (from 1 s before the fault until the fault's steps were done), when Redis itself
   * may have lost it (replication is asynchronous; a demoted primary drops what it took after the promotion).
   */
  private void stale(String key, long start, long read, long required, long requiredAckedAt, boolean peerKey) {
    boolean lost = requiredAckedAt >= faultNanos - TimeUnit.SECONDS.toNanos(1) && requiredAckedAt <= faultDoneNanos;
    if (lost) {
      lostWrites.increment();
    } else {
      staleValues.increment();
      if (peerKey) {
        stalePeerValues.increment();
      }
    }
    if (staleReads.size() < 5) {
      staleReads.add(key + " at " + TimeUnit.NANOSECONDS.toMillis(start - startNanos) + " ms: read " + read
          + ", acknowledged " + required + " at " + TimeUnit.NANOSECONDS.toMillis(requiredAckedAt - startNanos)
          + " ms" + (lost ? " (in the failover window: Redis lost it)" : ""));
    }
  }

  /** The first few stale reads. */
  java.util.List<String> staleReads() {
    return java.util.List.copyOf(staleReads);
  }

  private void write(int thread, int k) {
    long version = ++written[k];
    writing.incrementAndGet(k);
    long start = began(thread);
    if (start >= faultNanos) {
      warmth.set(k, WRITTEN_SINCE_FAULT);
    }
    try {
      client.put(key(k), version);
      long end = timed(thread, start);
      ackedAt.set(k, end); // the time first: a reader that sees the version sees it too
      acked.set(k, version);
      writesOk.increment();
      if (start >= flipNanos) {
        recoveredAtNanos.accumulateAndGet(end, Math::min);
      }
      writing.decrementAndGet(k);
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      warmth.set(k, WRITTEN_SINCE_FAULT); // a failed write takes the key out of a near cache, whenever it began
      writing.decrementAndGet(k);
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

  /** The first few failed reads of warm keys: which key, when, and the error. */
  java.util.List<String> warmFailures() {
    return java.util.List.copyOf(warmFailures);
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
