package io.github.resilientjcache.drill;

import io.github.resilientjcache.drill.RunResult.ClientResult;
import io.github.resilientjcache.drill.RunResult.Second;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The drill's outputs: the console table, report.json and a self-contained report.html. */
final class Report {

  private static final String[] COLORS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d"};

  private Report() {}

  // ---- console

  static void printTable(PrintStream out, RunResult r) {
    out.printf("%n   %s, run %d: fault at %.1fs, DNS flip at %.1fs%n", r.scenario(), r.run(), r.faultAtMs() / 1000.0,
        r.flipAtMs() / 1000.0);
    String row = "   %-22s %9s %10s %8s %7s %7s %7s %8s %7s %7s %7s %7s %8s %8s %5s%n";
    out.printf(row, "client", "recovered", "recover ms", "ok", "failed", "of warm", "failed", "errors", "stale",
        "stale", "lost", "misses", "rebuilds", "slowest", "hung");
    out.printf(row, "", "", "after flip", "calls", "reads", "keys", "writes", "after", "reads", "values", "writes",
        "", "", "call ms", "calls");
    out.printf(row, "", "", "", "", "", "", "", "recovery", "served", "read", "read", "", "", "", "");
    for (ClientResult c : r.clients()) {
      out.printf(row, c.name(), c.recovered() ? "yes" : "NO", orNever(c.timeToRecoverMs()), c.okOps(),
          c.failedReads(), c.failedReadsOfWarmKeys(), c.failedWrites(), c.errorsAfterRecovery(),
          c.staleReadsServed(), c.staleValuesRead(), c.lostWritesRead(), c.misses(), c.rebuilds(), c.slowestCallMs(),
          c.hungCalls());
    }
  }

  static void printSummary(PrintStream out, List<Summary> summaries) {
    String row = "   %-10s %-22s %9s %10s %10s %12s %7s %7s %8s %9s %5s%n";
    out.printf("%n" + row, "scenario", "client", "recovered", "median ms", "worst ms", "failed reads", "stale",
        "lost", "rebuilds", "slowest", "hung");
    out.printf(row, "", "", "", "to recover", "to recover", "of warm keys", "values", "writes", "", "call ms",
        "calls");
    for (Summary s : summaries) {
      out.printf(row, s.scenario(), s.client(), s.recovered() + "/" + s.runs(), orNever(s.medianTimeToRecoverMs()),
          orNever(s.worstTimeToRecoverMs()), s.failedReadsOfWarmKeys(), s.staleValuesRead(), s.lostWritesRead(),
          s.rebuilds(), s.slowestCallMs(), s.hungCalls());
    }
  }

  private static String orNever(@Nullable Long v) {
    return v == null ? "never" : v.toString();
  }

  // ---- report.json

  static String json(List<RunResult> runs, List<Summary> summaries, String scenarioArg) {
    StringBuilder b = new StringBuilder();
    if (runs.size() == 1) {
      runJson(b, runs.get(0), "");
      return b.append('\n').toString();
    }
    b.append("{\n  \"scenario\": ").append(str(scenarioArg)).append(",\n  \"runs\": [\n");
    for (int i = 0; i < runs.size(); i++) {
      b.append("    ");
      runJson(b, runs.get(i), "    ");
      b.append(i + 1 < runs.size() ? ",\n" : "\n");
    }
    b.append("  ],\n  \"summary\": [\n");
    for (int i = 0; i < summaries.size(); i++) {
      Summary s = summaries.get(i);
      b.append("    {\"scenario\": ").append(str(s.scenario())).append(", \"name\": ").append(str(s.client()))
          .append(", \"runs\": ").append(s.runs()).append(", \"recovered\": ").append(s.recovered())
          .append(", \"medianTimeToRecoverMs\": ").append(s.medianTimeToRecoverMs())
          .append(", \"worstTimeToRecoverMs\": ").append(s.worstTimeToRecoverMs())
          .append(", \"failedReadsOfWarmKeys\": ").append(s.failedReadsOfWarmKeys())
          .append(", \"staleValuesRead\": ").append(s.staleValuesRead())
          .append(", \"lostWritesRead\": ").append(s.lostWritesRead())
          .append(", \"rebuilds\": ").append(s.rebuilds())
          .append(", \"slowestCallMs\": ").append(s.slowestCallMs())
          .append(", \"hungCalls\": ").append(s.hungCalls()).append('}')
          .append(i + 1 < summaries.size() ? ",\n" : "\n");
    }
    return b.append("  ]\n}\n").toString();
  }

  private static void runJson(StringBuilder b, RunResult r, String indent) {
    String in = indent + "  ";
    b.append("{\n").append(in).append("\"scenario\": ").append(str(r.scenario())).append(",\n")
        .append(in).append("\"run\": ").append(r.run()).append(",\n")
        .append(in).append("\"durationMs\": ").append(r.durationMs()).append(",\n")
        .append(in).append("\"faultAtMs\": ").append(r.faultAtMs()).append(",\n")
        .append(in).append("\"flipAtMs\": ").append(r.flipAtMs()).append(",\n")
        .append(in).append("\"fault\": ").append(str(r.faultDescription())).append(",\n")
        .append(in).append("\"flip\": ").append(str(r.flipDescription())).append(",\n")
        .append(in).append("\"clients\": [\n");
    List<ClientResult> clients = r.clients();
    for (int i = 0; i < clients.size(); i++) {
      ClientResult c = clients.get(i);
      String ci = in + "  ";
      b.append(ci).append("{\"name\": ").append(str(c.name()))
          .append(", \"recovered\": ").append(c.recovered())
          .append(", \"timeToRecoverMs\": ").append(c.timeToRecoverMs())
          .append(", \"okOps\": ").append(c.okOps())
          .append(", \"failedReads\": ").append(c.failedReads())
          .append(", \"warmKeysAtFault\": ").append(c.warmKeysAtFault())
          .append(", \"failedReadsOfWarmKeys\": ").append(c.failedReadsOfWarmKeys())
          .append(", \"failedWrites\": ").append(c.failedWrites())
          .append(", \"errorsAfterRecovery\": ").append(c.errorsAfterRecovery())
          .append(", \"staleReadsServed\": ").append(c.staleReadsServed())
          .append(", \"staleValuesRead\": ").append(c.staleValuesRead())
          .append(", \"stalePeerValuesRead\": ").append(c.stalePeerValuesRead())
          .append(", \"lostWritesRead\": ").append(c.lostWritesRead())
          .append(", \"peerFailedWrites\": ").append(c.peerFailedWrites())
          .append(", \"misses\": ").append(c.misses())
          .append(", \"rebuilds\": ").append(c.rebuilds())
          .append(", \"generation\": ").append(c.generation())
          .append(", \"slowestCallMs\": ").append(c.slowestCallMs())
          .append(", \"hungCalls\": ").append(c.hungCalls())
          .append(", \"lastErrorAtMs\": ").append(c.lastErrorAtMs() < 0 ? "null" : c.lastErrorAtMs())
          .append(",\n").append(ci).append(" \"series\": [");
      List<Second> series = c.series();
      for (int j = 0; j < series.size(); j++) {
        Second s = series.get(j);
        b.append(j == 0 ? "" : ", ").append("{\"atMs\": ").append(s.atMs()).append(", \"ok\": ").append(s.ok())
            .append(", \"errors\": ").append(s.errors()).append(", \"staleServed\": ").append(s.staleServed())
            .append(", \"generation\": ").append(s.generation()).append(", \"state\": ").append(str(s.state()))
            .append('}');
      }
      b.append("]}").append(i + 1 < clients.size() ? ",\n" : "\n");
    }
    b.append(in).append("]\n").append(indent).append('}');
  }

  static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (ch < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  // ---- report.html

  static String html(List<RunResult> runs, List<Summary> summaries, List<String> missedGoals, int runsPerScenario) {
    StringBuilder b = new StringBuilder();
    b.append("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>resilient-jcache failover drill</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
        h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px} p{margin:4px 0}
        table{border-collapse:collapse;font-size:13px;margin:8px 0}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:right} th{background:#f3f3f3}
        td:first-child,th:first-child,.summary td:nth-child(2),.summary th:nth-child(2){text-align:left}
        .ok{color:#1b7e1b;font-weight:600} .no{color:#b00020;font-weight:600} .muted{color:#666;font-size:13px}
        .swatch{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
        </style></head><body>
        <h1>resilient-jcache failover drill</h1>
        <p class="muted">The same javax.cache load on each client; the fault (red) and the DNS flip (blue) are
        marked. Time to recover runs from the flip to the client's first successful write begun after it.
        Warm keys were held by the near cache at the fault (without one: read before it), and no write to
        them began after it, failed, or crossed the read: the keys a near cache must answer through the
        outage. A stale value is older than a write acknowledged before the read began (1 s before, for the
        keys another instance writes); a lost write is the same for a write acknowledged in the failover's
        window, which Redis itself may have dropped.</p>
        """);
    if (runs.size() > 1) {
      b.append("<h2>Summary</h2>\n<table class=\"summary\"><tr><th>scenario</th><th>client</th><th>recovered</th>"
          + "<th>median ms to recover</th><th>worst ms</th><th>failed reads of warm keys</th>"
          + "<th>stale values read</th><th>lost writes read</th><th>rebuilds</th><th>slowest call ms</th>"
          + "<th>hung calls</th></tr>\n");
      for (Summary s : summaries) {
        b.append("<tr><td>").append(esc(s.scenario())).append("</td><td>")
            .append(esc(s.client())).append("</td><td class=\"").append(s.recovered() == s.runs() ? "ok" : "no")
            .append("\">").append(s.recovered()).append('/').append(s.runs()).append("</td><td>")
            .append(orNever(s.medianTimeToRecoverMs())).append("</td><td>").append(orNever(s.worstTimeToRecoverMs()))
            .append("</td><td>").append(s.failedReadsOfWarmKeys()).append("</td><td>").append(s.staleValuesRead())
            .append("</td><td>").append(s.lostWritesRead()).append("</td><td>").append(s.rebuilds())
            .append("</td><td>").append(s.slowestCallMs()).append("</td><td>").append(s.hungCalls())
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    if (summaries.stream().anyMatch(Summary::isOurs)) {
      b.append(missedGoals.isEmpty()
          ? "<p class=\"ok\">resilient-jcache met every goal: " + esc(goals(runsPerScenario)) + "</p>\n"
          : "<p class=\"no\">resilient-jcache missed: " + esc(String.join("; ", missedGoals)) + "</p>\n");
    }
    for (RunResult r : runs) {
      b.append("<h2>").append(esc(r.scenario())).append(", run ").append(r.run()).append("</h2>\n<p class=\"muted\">")
          .append(String.format(Locale.ROOT, "%.1f s: %s. %.1f s: %s.", r.faultAtMs() / 1000.0,
              esc(r.faultDescription()), r.flipAtMs() / 1000.0, esc(r.flipDescription())))
          .append("</p>\n<p>");
      for (int i = 0; i < r.clients().size(); i++) {
        b.append("<span class=\"swatch\" style=\"background:").append(COLORS[i % COLORS.length]).append("\"></span>")
            .append(esc(r.clients().get(i).name()));
      }
      b.append("</p>\n");
      b.append(chart(r, "successful calls per second", false));
      b.append(chart(r, "failed calls per second", true));
      b.append(table(r));
    }
    return b.append("</body></html>\n").toString();
  }

  /** The goals a run of this many runs per scenario can judge, in words. */
  static String goals(int runsPerScenario) {
    String time = runsPerScenario >= Summary.RUNS_FOR_MEDIAN
        ? "median <= " + Summary.GOAL_MEDIAN_MS + " ms and worst <= " + Summary.GOAL_WORST_MS + " ms to recover"
        : "<= " + Summary.GOAL_WORST_MS + " ms to recover (the median goal, <= " + Summary.GOAL_MEDIAN_MS
            + " ms, needs --runs " + Summary.RUNS_FOR_MEDIAN + ")";
    return "recovered, " + time + ", no failed read of a near-cached key, no stale value read in sync, no call"
        + " past " + Summary.GOAL_SLOWEST_CALL_MS + " ms";
  }

  private static String table(RunResult r) {
    StringBuilder b = new StringBuilder("<table><tr><th>client</th><th>recovered</th><th>ms to recover</th>"
        + "<th>ok calls</th><th>failed reads</th><th>of warm keys</th><th>failed writes</th>"
        + "<th>errors after recovery</th><th>stale reads served</th><th>stale values read</th>"
        + "<th>lost writes read</th><th>misses</th>"
        + "<th>rebuilds</th><th>slowest call ms</th><th>hung calls</th></tr>\n");
    for (ClientResult c : r.clients()) {
      b.append("<tr><td>").append(esc(c.name())).append("</td><td class=\"").append(c.recovered() ? "ok" : "no")
          .append("\">").append(c.recovered() ? "yes" : "no").append("</td><td>").append(orNever(c.timeToRecoverMs()))
          .append("</td><td>").append(c.okOps()).append("</td><td>").append(c.failedReads()).append("</td><td>")
          .append(c.failedReadsOfWarmKeys()).append("</td><td>").append(c.failedWrites()).append("</td><td>")
          .append(c.errorsAfterRecovery()).append("</td><td>").append(c.staleReadsServed()).append("</td><td>")
          .append(c.staleValuesRead()).append("</td><td>").append(c.lostWritesRead()).append("</td><td>")
          .append(c.misses()).append("</td><td>")
          .append(c.rebuilds()).append("</td><td>").append(c.slowestCallMs()).append("</td><td>")
          .append(c.hungCalls()).append("</td></tr>\n");
    }
    return b.append("</table>\n").toString();
  }

  /** An inline SVG line chart of one measure per client over the run. */
  static String chart(RunResult r, String title, boolean errors) {
    int w = 1000;
    int h = 220;
    int left = 60;
    int right = 20;
    int top = 24;
    int bottom = 30;
    double plotW = w - left - right;
    double plotH = h - top - bottom;
    long max = 1;
    for (ClientResult c : r.clients()) {
      for (Second s : c.series()) {
        max = Math.max(max, errors ? s.errors() : s.ok());
      }
    }
    long yMax = niceCeiling(max);
    double xScale = plotW / r.durationMs();
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
        .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\" aria-label=\"")
        .append(esc(title)).append("\" style=\"font:11px sans-serif\">\n");
    b.append("<text x=\"").append(left).append("\" y=\"14\" style=\"font-size:13px;font-weight:600\">")
        .append(esc(title)).append("</text>\n");
    for (int i = 0; i <= 4; i++) {
      double y = top + plotH - plotH * i / 4;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", left, y, w - right, y, left - 6, y + 4,
          yMax * i / 4));
    }
    long step = r.durationMs() > 60_000 ? 10_000 : 5_000;
    for (long t = 0; t <= r.durationMs(); t += step) {
      double x = left + t * xScale;
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ds</text>%n", x, top + (int) plotH, x,
          top + plotH + 4, x, top + plotH + 16, t / 1000));
    }
    marker(b, left + r.faultAtMs() * xScale, top, plotH, "#b00020", "fault");
    marker(b, left + r.flipAtMs() * xScale, top, plotH, "#1f5fbf", "DNS flip");
    for (int i = 0; i < r.clients().size(); i++) {
      ClientResult c = r.clients().get(i);
      StringBuilder points = new StringBuilder();
      for (Second s : c.series()) {
        double x = left + Math.min(s.atMs(), r.durationMs()) * xScale;
        double y = top + plotH - plotH * Math.min(yMax, errors ? s.errors() : s.ok()) / yMax;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLORS[i % COLORS.length])
          .append("\" points=\"").append(points.toString().trim()).append("\"><title>").append(esc(c.name()))
          .append("</title></polyline>\n");
    }
    b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\""
        + " stroke=\"#999\"/>%n", left, top, plotW, plotH));
    return b.append("</svg>\n").toString();
  }

  private static void marker(StringBuilder b, double x, int top, double plotH, String color, String label) {
    b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
        + " stroke-dasharray=\"5,4\" stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n",
        x, top, x, top + plotH, color, x + 4, top + 12, color, label));
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  static long niceCeiling(long v) {
    long p = 1;
    while (true) {
      for (long m : new long[] {1, 2, 5}) {
        if (m * p >= v) {
          return m * p;
        }
      }
      p *= 10;
    }
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static void write(Path dir, String json, String html, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    Path jsonFile = dir.resolve("report.json");
    Path htmlFile = dir.resolve("report.html");
    Files.writeString(jsonFile, json, StandardCharsets.UTF_8);
    Files.writeString(htmlFile, html, StandardCharsets.UTF_8);
    out.printf("%n   report: %s%n   chart:  %s%n", jsonFile.toAbsolutePath(), htmlFile.toAbsolutePath());
  }
}
