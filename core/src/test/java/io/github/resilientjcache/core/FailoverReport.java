package io.github.resilientjcache.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects time-to-recover figures from the failover tests and appends them to
 * {@code target/failover-report.txt}, so a run's numbers can be quoted. Figures, not assertions: timing
 * depends on the machine.
 */
final class FailoverReport {

  private static final Map<String, List<long[]>> RUNS = new TreeMap<>();

  private FailoverReport() {}

  /** How many times each failover scenario runs: {@code -Drjc.failover.runs=5} for figures. */
  static int runs() {
    return Integer.getInteger("rjc.failover.runs", 1);
  }

  /** One run under load: also the calls that failed and the longest single call. */
  static synchronized void record(String scenario, Duration recovery, long rebuilds, Load load) {
    RUNS.computeIfAbsent(scenario, k -> new ArrayList<>()).add(new long[] {recovery.toMillis(), rebuilds,
        load.failedReads(), load.failedWrites(), load.longestCall().toMillis()});
    write(String.format("%-48s recovery %6d ms  rebuilds %d  failed reads %d/%d  failed writes %d/%d  longest call"
        + " %d ms%n", scenario, recovery.toMillis(), rebuilds, load.failedReads(), load.reads() + load.failedReads(),
        load.failedWrites(), load.writes() + load.failedWrites(), load.longestCall().toMillis()));
  }

  /** min / median / max of each figure over the runs recorded for {@code scenario}. */
  static synchronized String summary(String scenario) {
    List<long[]> runs = RUNS.getOrDefault(scenario, List.of());
    if (runs.isEmpty()) {
      return scenario + ": no runs";
    }
    String[] names = {"recovery ms", "rebuilds", "failed reads", "failed writes", "longest call ms"};
    StringBuilder b = new StringBuilder(scenario).append(" (").append(runs.size()).append(" runs):");
    for (int i = 0; i < runs.get(0).length; i++) {
      int col = i;
      long[] v = runs.stream().mapToLong(r -> r[col]).sorted().toArray();
      b.append(String.format("  %s %d / %d / %d", names[i], v[0], v[v.length / 2], v[v.length - 1]));
    }
    String line = b.toString();
    write("[summary] " + line + System.lineSeparator());
    return line;
  }

  static synchronized void record(String scenario, Duration recovery, long rebuilds) {
    RUNS.computeIfAbsent(scenario, k -> new ArrayList<>()).add(new long[] {recovery.toMillis(), rebuilds});
    write(String.format("%-48s recovery %6d ms  rebuilds %d%n", scenario, recovery.toMillis(), rebuilds));
  }

  private static void write(String line) {
    System.out.print("[failover-report] " + line);
    try {
      Path out = Path.of("target", "failover-report.txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the console line is enough
    }
  }
}
