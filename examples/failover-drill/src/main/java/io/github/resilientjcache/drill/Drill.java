package io.github.resilientjcache.drill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The failover drill: {@code ./drill --help}. Runs each scenario, prints a line per second per client and a
 * table per run, and writes report.json and report.html. docs/drill.md says how to read them.
 */
public final class Drill {

  private Drill() {}

  public static void main(String[] args) {
    System.exit(run(System.out, args));
  }

  /** Runs the drill as the command line asks; returns the exit status. */
  static int run(PrintStream out, String... args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("drill: " + e.getMessage());
      return 2;
    }
    if (options.help()) {
      out.print(Options.HELP);
      return 0;
    }
    List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    Thread onCtrlC = new Thread(() -> stop(open, out), "drill-stop");
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try {
      List<RunResult> results = new ArrayList<>();
      for (Scenario scenario : options.scenarios()) {
        for (int run = 1; run <= options.runs(); run++) {
          RunResult r = new Run(options, scenario, run, out, open::add).execute();
          open.clear();
          Report.printTable(out, r);
          results.add(r);
        }
      }
      List<Summary> summaries = Summary.of(results);
      if (results.size() > 1) {
        Report.printSummary(out, summaries);
      }
      List<String> missed = summaries.stream().flatMap(s -> s.missedGoals().stream()).toList();
      Report.write(options.out(), Report.json(results, summaries, scenarioArg(options)),
          Report.html(results, summaries, missed), out);
      boolean oursRan = options.clients().contains(Clients.RESILIENT);
      if (oursRan) {
        out.println(missed.isEmpty()
            ? "   resilient-jcache met every goal: recovered, median <= 1000 ms and worst <= 3000 ms to recover,"
                + " no failed read of a near-cached key, no call past 1100 ms"
            : "   resilient-jcache missed: " + String.join("; ", missed));
      }
      boolean oursRecovered = summaries.stream().filter(Summary::isOurs).allMatch(s -> s.recovered() == s.runs());
      return oursRecovered ? 0 : 1;
    } catch (Exception e) {
      System.err.println("drill: " + e);
      e.printStackTrace();
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs
      }
    }
  }

  private static String scenarioArg(Options options) {
    return options.scenarios().size() == 1 ? options.scenarios().get(0).label() : "all";
  }

  /** Ctrl-C: stop the redis-server processes of the run under way (testkit's own hook would too). */
  private static void stop(List<AutoCloseable> open, PrintStream out) {
    if (open.isEmpty()) {
      return;
    }
    out.println("\n   stopping: the drill's redis-server processes");
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // stopping anyway
      }
    }
  }
}
