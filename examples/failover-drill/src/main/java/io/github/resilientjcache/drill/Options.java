package io.github.resilientjcache.drill;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The drill's command line. Every option has a default; {@link #HELP} lists them. */
record Options(
    List<Scenario> scenarios,
    List<String> clients,
    Duration duration,
    Duration faultAt,
    Duration flipAfter,
    int runs,
    int rate,
    int threads,
    int keys,
    Path out,
    boolean help) {

  static final String HELP = """
      Usage: ./drill [options]

      Starts a Redis primary and replica behind one DNS name on local redis-server processes, runs the same
      javax.cache load on several clients side by side, fails the primary over, and reports how each client
      lived through it: target/drill/report.json and target/drill/report.html.

      Options:
        --scenario S     kill | freeze | demote | blackhole | all (each in turn). Default: kill
                           kill       kill -9 the primary, then promote the replica and flip the DNS name
                           freeze     SIGSTOP the primary (its sockets stay open, nothing answers), then the same
                           demote     promote the replica and turn the old primary into its replica
                                      (writes get READONLY), then flip the name
                           blackhole  the old primary's connections stay open and silent, then the same
        --clients LIST   comma-separated, from: %s.
                         Default: all of them
        --duration D     length of each run, e.g. 60s or 2m. Default: 60s (20s with --quick)
        --fault-at D     when the fault is injected, from the start of the load. Default: 10s (5s with --quick)
        --flip-after D   from the fault to the promotion and DNS flip. Default: 2s
        --runs N         runs per scenario; the table then shows each client's median and worst. Default: 1
        --rate N         operations per second per client (90%% reads, 10%% writes). Default: 400
        --threads N      threads per client. Default: 4
        --keys N         keys per client, all written and read before the load, so near-cached (up to
                         the near cache's maximumSize, 10,000 by default). Default: 1000
        --out DIR        where the reports go. Default: target/drill
        --quick          a short run (for CI): --duration 20s --fault-at 5s unless given
        --help           this text

      Exit status: 1 when resilient-jcache did not recover in a run, failed a read of a key it held in its
      near cache, or had a call hang (past 2 s, twice its timeout); 2 on a bad option; else 0. The timing
      goals (median <= 1 s and worst <= 3 s to recover, no call past 1.1 s) are reported, not enforced.
      """.formatted(String.join(", ", Clients.NAMES));

  static Options parse(String... args) {
    List<Scenario> scenarios = List.of(Scenario.KILL);
    List<String> clients = Clients.NAMES;
    Duration duration = null;
    Duration faultAt = null;
    Duration flipAfter = Duration.ofSeconds(2);
    int runs = 1;
    int rate = 400;
    int threads = 4;
    int keys = 1000;
    Path out = Path.of("target", "drill");
    boolean quick = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> help = true;
        case "--quick" -> quick = true;
        case "--scenario" -> scenarios = Scenario.parse(value(args, ++i, a));
        case "--clients" -> clients = clients(value(args, ++i, a));
        case "--duration" -> duration = duration(value(args, ++i, a), a);
        case "--fault-at" -> faultAt = duration(value(args, ++i, a), a);
        case "--flip-after" -> flipAfter = duration(value(args, ++i, a), a);
        case "--runs" -> runs = positive(value(args, ++i, a), a);
        case "--rate" -> rate = positive(value(args, ++i, a), a);
        case "--threads" -> threads = positive(value(args, ++i, a), a);
        case "--keys" -> keys = positive(value(args, ++i, a), a);
        case "--out" -> out = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option " + a + " (--help lists them)");
      }
    }
    if (help) {
      return new Options(scenarios, clients, Duration.ZERO, Duration.ZERO, flipAfter, runs, rate, threads, keys,
          out, true);
    }
    if (duration == null) {
      duration = Duration.ofSeconds(quick ? 20 : 60);
    }
    if (faultAt == null) {
      faultAt = Duration.ofSeconds(quick ? 5 : 10);
    }
    if (faultAt.plus(flipAfter).compareTo(duration) >= 0) {
      throw new IllegalArgumentException("--fault-at " + faultAt.toSeconds() + "s plus --flip-after "
          + flipAfter.toMillis() + "ms leaves nothing of --duration " + duration.toSeconds() + "s to recover in");
    }
    if (keys < threads) {
      throw new IllegalArgumentException("--keys " + keys + " is fewer than --threads " + threads
          + ": each thread writes keys of its own");
    }
    return new Options(scenarios, clients, duration, faultAt, flipAfter, runs, rate, threads, keys, out, help);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value (--help lists them)");
    }
    return args[i];
  }

  private static List<String> clients(String list) {
    List<String> names = new ArrayList<>();
    for (String n : list.split(",")) {
      String name = n.trim();
      if (!Clients.NAMES.contains(name)) {
        throw new IllegalArgumentException("--clients: no client named '" + name + "'; there are "
            + String.join(", ", Clients.NAMES));
      }
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("--clients: name at least one of " + String.join(", ", Clients.NAMES));
    }
    return List.copyOf(names);
  }

  static Duration duration(String text, String option) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
      }
      if (t.endsWith("m")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
      }
    } catch (NumberFormatException e) {
      // the message below says what is wanted
    }
    throw new IllegalArgumentException(option + " '" + text + "' is not a duration such as 500ms, 20s or 2m");
  }

  private static int positive(String text, String option) {
    try {
      int n = Integer.parseInt(text.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below says what is wanted
    }
    throw new IllegalArgumentException(option + " '" + text + "' is not a positive whole number");
  }
}
