package io.github.resilientjcache.drill;

import io.github.resilientjcache.drill.RunResult.ClientResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One client in one scenario over all its runs: the median and the worst, and the goals for ours. */
record Summary(
    String scenario,
    String client,
    int runs,
    int recovered,
    @Nullable Long medianTimeToRecoverMs,
    @Nullable Long worstTimeToRecoverMs,
    long failedReadsOfWarmKeys,
    long staleValuesRead,
    long lostWritesRead,
    long rebuilds,
    long slowestCallMs,
    int hungCalls) {

  /** The goals for resilient-jcache, in every scenario. */
  static final long GOAL_MEDIAN_MS = 1_000;
  static final long GOAL_WORST_MS = 3_000;
  /** Its calls' deadline: the 1 s Redisson timeout it runs with, plus the 100 ms the supervisor allows past it. */
  static final long GOAL_SLOWEST_CALL_MS = 1_100;
  /** A call this long (twice its timeout) hung: no scheduling noise explains it. */
  static final long HUNG_CALL_MS = 2_000;
  /** The median goal needs this many runs to be judged. */
  static final int RUNS_FOR_MEDIAN = 5;

  static List<Summary> of(List<RunResult> runs) {
    Map<List<String>, List<ClientResult>> byKey = new LinkedHashMap<>(); // (scenario, client), in run order
    for (RunResult r : runs) {
      for (ClientResult c : r.clients()) {
        byKey.computeIfAbsent(List.of(r.scenario(), c.name()), k -> new ArrayList<>()).add(c);
      }
    }
    List<Summary> out = new ArrayList<>();
    byKey.forEach((key, results) -> {
      int recovered = 0;
      long warm = 0;
      long stale = 0;
      long lost = 0;
      long rebuilds = 0;
      long slowest = 0;
      int hung = 0;
      List<Long> times = new ArrayList<>();
      for (ClientResult c : results) {
        warm += c.failedReadsOfWarmKeys();
        stale += c.staleValuesRead();
        lost += c.lostWritesRead();
        rebuilds += c.rebuilds();
        slowest = Math.max(slowest, c.slowestCallMs());
        hung += c.hungCalls();
        if (c.recovered()) {
          recovered++;
        }
        times.add(c.timeToRecoverMs() == null ? Long.MAX_VALUE : c.timeToRecoverMs());
      }
      times.sort(null);
      out.add(new Summary(key.get(0), key.get(1), results.size(), recovered, known(median(times)),
          known(times.get(times.size() - 1)), warm, stale, lost, rebuilds, slowest, hung));
    });
    return out;
  }

  /** The median of sorted values; of an even count, the upper of the two middle ones (never flattering). */
  static long median(List<Long> sorted) {
    return sorted.get(sorted.size() / 2);
  }

  private static @Nullable Long known(long ms) {
    return ms == Long.MAX_VALUE ? null : ms;
  }

  boolean isOurs() {
    return client.equals(Clients.RESILIENT);
  }

  /** The goals this summary misses (only ours has goals); empty when it meets them all. */
  List<String> missedGoals() {
    List<String> missed = new ArrayList<>(failures());
    if (!isOurs()) {
      return missed;
    }
    if (runs >= RUNS_FOR_MEDIAN && (medianTimeToRecoverMs == null || medianTimeToRecoverMs > GOAL_MEDIAN_MS)) {
      missed.add(scenario + ": median time to recover " + ms(medianTimeToRecoverMs) + " (goal <= "
          + GOAL_MEDIAN_MS + " ms)");
    }
    if (worstTimeToRecoverMs == null || worstTimeToRecoverMs > GOAL_WORST_MS) {
      missed.add(scenario + ": worst time to recover " + ms(worstTimeToRecoverMs) + " (goal <= "
          + GOAL_WORST_MS + " ms)");
    }
    if (staleValuesRead > 0) {
      missed.add(scenario + ": " + staleValuesRead + " stale values read with the near cache in sync (goal 0)");
    }
    if (slowestCallMs > GOAL_SLOWEST_CALL_MS && slowestCallMs <= HUNG_CALL_MS) {
      missed.add(scenario + ": a call took " + slowestCallMs + " ms (goal <= " + GOAL_SLOWEST_CALL_MS + " ms)");
    }
    return missed;
  }

  /**
   * What fails the drill's exit status (only ours): no recovery, a failed read of a near-cached key, a hung
   * call. None of these can come from a noisy machine; the timing goals above can, so they are reported only.
   */
  List<String> failures() {
    List<String> failed = new ArrayList<>();
    if (!isOurs()) {
      return failed;
    }
    if (recovered < runs) {
      failed.add(scenario + ": recovered in " + recovered + " of " + runs + " runs");
    }
    if (failedReadsOfWarmKeys > 0) {
      failed.add(scenario + ": " + failedReadsOfWarmKeys + " failed reads of near-cached keys (goal 0)");
    }
    if (hungCalls > 0 || slowestCallMs > HUNG_CALL_MS) {
      failed.add(scenario + ": a call hung (" + slowestCallMs + " ms; " + hungCalls + " unanswered at the end)");
    }
    return failed;
  }

  static String ms(@Nullable Long ms) {
    return ms == null ? "never" : ms + " ms";
  }
}
