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

  static synchronized void record(String scenario, Duration recovery, long rebuilds) {
    RUNS.computeIfAbsent(scenario, k -> new ArrayList<>()).add(new long[] {recovery.toMillis(), rebuilds});
    String line = String.format("%-48s recovery %6d ms  rebuilds %d%n", scenario, recovery.toMillis(), rebuilds);
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
