package io.github.resilientjcache.drill;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** What one run of one scenario measured. Times are in ms from the start of the load. */
record RunResult(
    String scenario,
    int run,
    long durationMs,
    long faultAtMs,
    long flipAtMs,
    String faultDescription,
    String flipDescription,
    List<ClientResult> clients) {

  /** One client's run. */
  record ClientResult(
      String name,
      boolean recovered,
      @Nullable Long timeToRecoverMs,
      long okOps,
      long failedReads,
      int warmKeysAtFault,
      long failedReadsOfWarmKeys,
      long failedWrites,
      long errorsAfterRecovery,
      long staleReadsServed,
      long staleValuesRead,
      long stalePeerValuesRead,
      long lostWritesRead,
      long peerFailedWrites,
      long misses,
      long rebuilds,
      long generation,
      long slowestCallMs,
      int hungCalls,
      long lastErrorAtMs,
      List<Second> series) {}

  /** One second of a client's run: calls that succeeded and failed, and stale reads served in it. */
  record Second(long atMs, long ok, long errors, long staleServed, long generation, String state) {}
}
