package io.github.resilientjcache.drill;

import io.github.resilientjcache.drill.Verdict.Ack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The same paced load on one client: 90% reads of any key, 10% writes, each thread writing only its own keys
 * so that every key has one writer, and a value is the key's write count: a read can tell a stale value
 * ({@link Verdict}).
 *
 * <p>A second instance of the same client, the <em>peer</em> (another JVM in real life), writes keys of its
 * own ({@code p0}, {@code p1}, ...) one after another; a tenth of the reads are of those keys, judged against
 * the peer's writes acknowledged {@link #PEER_GRACE_MS} before the read began: what a near cache would serve if
 * it missed an invalidation, in normal times or after an outage. A read made while the near cache is out of
 * sync is not judged: it is a stale read served, by design.
 *
 * <p>A <em>warm</em> key was held by the near cache when the fault came (for a client without one: read
 * before the fault), and no write to it began after the fault, failed, or was in flight during the read:
 * exactly the keys a near cache must go on answering through the outage.
 */
final class ClientLoad {

  static final int PEER_KEYS = 100;
  static final int PEER_WRITES_PER_SECOND = 20;
  /** How long an invalidation may take to reach another instance before its old value counts as stale. */
  static final long PEER_GRACE_MS = 1_000;
  /** The failover's window opens this long before the fault: writes not yet replicated may be lost. */
  static final long WINDOW_BEFORE_FAULT_MS = 1_000;
  private static final int WARM = 1;
  private static final int WRITTEN_SINCE_FAULT = 2;
  private static final int NOT_HELD = 3;
  private static final int REPORTED = 5;

  final DrillClient client;
  private final @Nullable DrillClient peer;
  private final int threads;
  private final int keys;
  private final long intervalNanos;

  private final long[] written;
  private final AtomicReferenceArray<Ack> acked;
  private final AtomicReferenceArray<Ack> peerAcked = new AtomicReferenceArray<>(PEER_KEYS);
  private final AtomicIntegerArray warmth;
  private final AtomicIntegerArray writing;
  private final AtomicLongArray inFlightSince;
  private final List<Thread> workers = new ArrayList<>();

  private volatile boolean running;
  private volatile long startNanos;
  private volatile long faultNanos = Long.MAX_VALUE;
  private volatile long faultDoneNanos = Long.MIN_VALUE;
  private volatile long flipNanos = Long.MAX_VALUE;
  private volatile int heldAtFault;
  private volatile long slowestInFlightNanos;
  private volatile int hungCalls;

  private final LongAdder readsOk = new LongAdder();
  private final LongAdder readsFailed = new LongAdder();
  private final LongAdder warmReadsFailed = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder staleValues = new LongAdder();
  private final LongAdder stalePeerValues = new LongAdder();
  private final LongAdder writesOk = new LongAdder();
  private final LongAdder writesFailed = new LongAdder();
  private final LongAdder peerWritesFailed = new LongAdder();
  private final LongAdder errorsAfterRecovery = new LongAdder();
  /** Writes (key and version) that Redis lost in the failover, each counted once however often it is read. */
  private final Set<String> lostWrites = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> warmFailures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> staleReads = new ConcurrentLinkedQueue<>();
  private final AtomicLong slowestNanos = new AtomicLong();
  private final AtomicLong recoveredAtNanos = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastErrorNanos = new AtomicLong(Long.MIN_VALUE);

  ClientLoad(DrillClient client, @Nullable DrillClient peer, int threads, int keys, int rate) {
    this.client = client;
    this.peer = peer;
    this.threads = threads;
    this.keys = keys;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / rate;
    this.written = new long[keys];
    this.acked = new AtomicReferenceArray<>(keys);
    this.warmth = new AtomicIntegerArray(keys);
    this.writing = new AtomicIntegerArray(keys);
    this.inFlightSince = new AtomicLongArray(threads);
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
      acked.set(k, new Ack(1, System.nanoTime(), null));
    }
    for (int k = 0; k < keys; k++) {
      Long v = client.get(key(k));
      if (v == null || v != 1) {
        throw new IllegalStateException(client.name() + " read " + v + " for " + key(k) + " right after writing 1");
      }
      warmth.set(k, WARM);
    }
    if (peer != null) {
      for (int k = 0; k < PEER_KEYS; k++) {
        peer.put(peerKey(k), 1);
        peerAcked.set(k, new Ack(1, System.nanoTime(), null));
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

  /** Called just before the fault: which warm keys the near cache answers for now (all, without one). */
  void faultInjected(long nanos) {
    int held = 0;
    for (int k = 0; k < keys; k++) {
      if (warmth.get(k) != WARM) {
        continue;
      }
      Boolean answers = client.nearAnswers(key(k));
      if (answers == null || answers) {
        held++;
      } else {
        warmth.set(k, NOT_HELD);
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

  /**
   * Waits for the threads, {@code graceMillis} at most; then notes the calls still unanswered (hung) and how long
   * the oldest has waited. A thread left in a call is a daemon.
   */
  void awaitStop(long graceMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    for (Thread t : workers) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    long now = System.nanoTime();
    int hung = 0;
    long oldest = 0;
    for (int i = 0; i < threads; i++) {
      long since = inFlightSince.get(i);
      if (since != 0) {
        hung++;
        oldest = Math.max(oldest, now - since);
      }
    }
    hungCalls = hung;
    slowestInFlightNanos = oldest;
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
      LockSupport.parkNanos(next - now);
    }
  }

  /** The peer writes its keys one after another, at its own pace: each key about every 5 s. */
  private void peerWrites() {
    DrillClient p = Objects.requireNonNull(peer);
    long[] versions = new long[PEER_KEYS];
    Arrays.fill(versions, 1);
    long interval = TimeUnit.SECONDS.toNanos(1) / PEER_WRITES_PER_SECOND;
    long next = System.nanoTime();
    int k = 0;
    while (running) {
      long version = ++versions[k];
      try {
        p.put(peerKey(k), version);
        peerAcked.set(k, peerAcked.get(k).then(version, System.nanoTime()));
      } catch (RuntimeException e) {
        peerWritesFailed.increment();
      }
      k = (k + 1) % PEER_KEYS;
      long now = System.nanoTime();
      next = Math.max(next + interval, now);
      LockSupport.parkNanos(next - now);
    }
  }

  private void read(int thread, int k) {
    Ack before = acked.get(k);
    boolean inSync = client.inSync();
    boolean warm = warmth.get(k) == WARM && writing.get(k) == 0;
    long start = began(thread);
    try {
      Long v = client.get(key(k));
      timed(thread, start);
      readsOk.increment();
      judge(key(k), v, before, start, 0, inSync, false);
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      readsFailed.increment();
      if (start >= faultNanos && warm && warmth.get(k) == WARM) {
        warmReadsFailed.increment();
        report(warmFailures, key(k) + " at " + sinceStart(start) + " ms: " + e);
      }
      failed(start, end);
    }
  }

  private void readPeer(int thread, int k) {
    Ack before = peerAcked.get(k);
    boolean inSync = client.inSync();
    long start = began(thread);
    try {
      Long v = client.get(peerKey(k));
      timed(thread, start);
      readsOk.increment();
      judge(peerKey(k), v, before, start, TimeUnit.MILLISECONDS.toNanos(PEER_GRACE_MS), inSync, true);
    } catch (RuntimeException e) {
      readsFailed.increment();
      failed(start, timed(thread, start));
    }
  }

  private void judge(String key, @Nullable Long v, Ack before, long start, long lag, boolean inSyncBefore,
      boolean peerKey) {
    if (v == null) {
      misses.increment();
      return;
    }
    if (!inSyncBefore || !client.inSync()) {
      return; // served from a near cache out of sync: a stale read served, by design
    }
    long windowFrom = faultNanos == Long.MAX_VALUE ? Long.MAX_VALUE
        : faultNanos - TimeUnit.MILLISECONDS.toNanos(WINDOW_BEFORE_FAULT_MS);
    Verdict verdict = Verdict.of(v, before, start, lag, windowFrom, faultDoneNanos);
    if (verdict == Verdict.FRESH) {
      return;
    }
    if (verdict == Verdict.LOST) {
      lostWrites.add(key + "@" + before.version());
    } else {
      staleValues.increment();
      if (peerKey) {
        stalePeerValues.increment();
      }
    }
    report(staleReads, key + " at " + sinceStart(start) + " ms: read " + v + ", acknowledged " + before.version()
        + " at " + sinceStart(before.at()) + " ms" + (verdict == Verdict.LOST ? " (in the failover window: lost"
        + " by Redis)" : ""));
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
      acked.set(k, acked.get(k).then(version, end));
      writesOk.increment();
      if (start >= flipNanos) {
        recoveredAtNanos.accumulateAndGet(end, Math::min);
      }
    } catch (RuntimeException e) {
      long end = timed(thread, start);
      warmth.set(k, WRITTEN_SINCE_FAULT); // a failed write takes the key out of a near cache, whenever it began
      writesFailed.increment();
      failed(start, end);
    } finally {
      writing.decrementAndGet(k);
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
    slowestNanos.accumulateAndGet(end - start, Math::max);
    return end;
  }

  private void failed(long start, long end) {
    lastErrorNanos.accumulateAndGet(end, Math::max);
    if (start > recoveredAtNanos.get()) {
      errorsAfterRecovery.increment();
    }
  }

  private long sinceStart(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos - startNanos);
  }

  private static void report(ConcurrentLinkedQueue<String> queue, String line) {
    if (queue.size() < REPORTED) {
      queue.add(line);
    }
  }

  /** The first few failed reads of warm keys: which key, when, and the error. */
  List<String> warmFailures() {
    return List.copyOf(warmFailures);
  }

  /** The first few reads older than an acknowledged write, stale or lost. */
  List<String> staleReads() {
    return List.copyOf(staleReads);
  }

  /** Writes Redis lost in the failover that a read then showed, each once. */
  long lostWrites() {
    return lostWrites.size();
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

  /** The slowest call, counting one still unanswered after {@link #awaitStop} for as long as it had waited. */
  long slowestCallMillis() {
    return TimeUnit.NANOSECONDS.toMillis(Math.max(slowestNanos.get(), slowestInFlightNanos));
  }

  /** Calls still unanswered after {@link #awaitStop}: calls that hung past the end of the run. */
  int hungCalls() {
    return hungCalls;
  }

  /** What the run measured of this client, with its per-second {@code series}. */
  RunResult.ClientResult result(List<RunResult.Second> series) {
    long ttr = timeToRecoverMillis();
    return new RunResult.ClientResult(client.name(), ttr >= 0, ttr >= 0 ? ttr : null, okOps(), readsFailed.sum(),
        heldAtFault, warmReadsFailed.sum(), writesFailed.sum(), errorsAfterRecovery.sum(), client.staleReadsServed(),
        staleValues.sum(), stalePeerValues.sum(), lostWrites(), peerWritesFailed.sum(), misses.sum(),
        client.rebuilds(), client.generation(), slowestCallMillis(), hungCalls, lastErrorAtMillis(),
        List.copyOf(series));
  }

  /** When the last failed call ended, in ms from the start of the load; -1 if none failed. */
  long lastErrorAtMillis() {
    long at = lastErrorNanos.get();
    return at == Long.MIN_VALUE ? -1 : sinceStart(at);
  }
}
