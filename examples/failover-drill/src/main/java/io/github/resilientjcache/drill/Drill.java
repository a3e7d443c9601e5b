package io.github.resilientjcache.drill;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
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
    if (System.getProperty("drill.log") == null) { // before the first logger: the clients' log beside the report
      System.setProperty("drill.log", outDir(args).resolve("drill.log").toString());
    }
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
    List<RunResult> results = new ArrayList<>();
    try {
      for (Scenario scenario : options.scenarios()) {
        for (int run = 1; run <= options.runs(); run++) {
          RunResult r = new Run(options, scenario, run, out, open::add).execute();
          open.clear();
          Report.printTable(out, r);
          results.add(r);
        }
      }
      return report(options, results, out);
    } catch (Exception e) {
      System.err.println("drill: " + e);
      e.printStackTrace();
      if (!results.isEmpty()) {
        try {
          report(options, results, out); // what finished is still worth reading
        } catch (Exception again) {
          System.err.println("drill: could not write the report either: " + again);
        }
      }
      return 1;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs
      }
    }
  }

  private static int report(Options options, List<RunResult> results, PrintStream out) throws IOException {
    List<Summary> summaries = Summary.of(results);
    if (results.size() > 1) {
      Report.printSummary(out, summaries);
    }
    List<String> missed = summaries.stream().flatMap(s -> s.missedGoals().stream()).toList();
    List<String> failures = summaries.stream().flatMap(s -> s.failures().stream()).toList();
    Report.write(options.out(), Report.json(results, summaries, scenarioArg(options)),
        Report.html(results, summaries, missed, options.runs()), out);
    if (options.clients().contains(Clients.RESILIENT)) {
      out.println(missed.isEmpty() ? "   resilient-jcache met every goal: " + Report.goals(options.runs())
          : "   resilient-jcache missed: " + String.join("; ", missed));
    }
    return failures.isEmpty() ? 0 : 1;
  }

  private static Path outDir(String[] args) {
    try {
      return Options.parse(args).out();
    } catch (IllegalArgumentException e) {
      return Options.parse().out();
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
