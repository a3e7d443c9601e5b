package io.github.resilientjcache.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.drill.RunResult.ClientResult;
import io.github.resilientjcache.drill.RunResult.Second;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static ClientResult client(String name, @Nullable Long ttr, long warmFailures, long slowest) {
    List<Second> series = new ArrayList<>();
    for (int s = 1; s <= 20; s++) {
      series.add(new Second(s * 1000L, s == 6 ? 0 : 400, s == 6 ? 40 : 0, 0, 1, "ok"));
    }
    return new ClientResult(name, ttr != null, ttr, 7000, 3, 1000, warmFailures, 5, 0, 100, 0, 0, 0, 0, 2, 1, 2,
        slowest, 0, 6500, series);
  }

  private static RunResult run(String scenario, int n, ClientResult... clients) {
    return new RunResult(scenario, n, 20_000, 5_000, 7_000, "kill -9 the primary", "flip \"the\" <name>",
        List.of(clients));
  }

  @Test
  void json_ofOneRun_hasTheFieldsTheIssueNames_andNullWhenNeverRecovered() {
    RunResult r = run("kill", 1, client(Clients.RESILIENT, 180L, 0, 150), client(Clients.SEED, null, 0, 5000));
    String json = Report.json(List.of(r), Summary.of(List.of(r)), "kill");
    assertThat(json).startsWith("{\n  \"scenario\": \"kill\"").contains("\"flipAtMs\": 7000")
        .contains("{\"name\": \"resilient-jcache\", \"recovered\": true, \"timeToRecoverMs\": 180")
        .contains("{\"name\": \"seed-pattern\", \"recovered\": false, \"timeToRecoverMs\": null")
        .contains("\"failedReads\": 3", "\"failedWrites\": 5", "\"staleReadsServed\": 100", "\"rebuilds\": 1")
        .contains("\"flip\": \"flip \\\"the\\\" <name>\"");
  }

  @Test
  void summary_takesTheMedianAndTheWorst_andJudgesOnlyOurs() {
    List<RunResult> runs = new ArrayList<>();
    long[] times = {900, 200, 2500, 300, 400};
    for (int i = 0; i < times.length; i++) {
      runs.add(run("freeze", i + 1, client(Clients.RESILIENT, times[i], 0, 300), client(Clients.REDISSON, null, 9,
          9000)));
    }
    List<Summary> summaries = Summary.of(runs);
    Summary ours = summaries.get(0);
    assertThat(ours.medianTimeToRecoverMs()).isEqualTo(400);
    assertThat(ours.worstTimeToRecoverMs()).isEqualTo(2500);
    assertThat(ours.missedGoals()).isEmpty();
    Summary theirs = summaries.get(1);
    assertThat(theirs.recovered()).isZero();
    assertThat(theirs.medianTimeToRecoverMs()).isNull();
    assertThat(theirs.missedGoals()).as("only ours has goals").isEmpty();
    assertThat(Report.json(runs, summaries, "freeze")).contains("\"runs\": [")
        .contains("\"medianTimeToRecoverMs\": 400, \"worstTimeToRecoverMs\": 2500");
  }

  @Test
  void summary_ofOurs_namesEachMissedGoal_andFailsOnlyOnWhatNoiseCannotCause() {
    List<RunResult> runs = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      runs.add(run("demote", i, client(Clients.RESILIENT, 3500L, 2, 1500)));
    }
    Summary s = Summary.of(runs).get(0);
    assertThat(s.missedGoals()).hasSize(4)
        .anySatisfy(m -> assertThat(m).contains("median time to recover 3500 ms"))
        .anySatisfy(m -> assertThat(m).contains("worst time to recover 3500 ms"))
        .anySatisfy(m -> assertThat(m).contains("10 failed reads of near-cached keys"))
        .anySatisfy(m -> assertThat(m).contains("a call took 1500 ms"));
    assertThat(s.failures()).singleElement().asString().contains("failed reads of near-cached keys");

    Summary hung = Summary.of(List.of(run("freeze", 1, client(Clients.RESILIENT, 200L, 0, 2500)))).get(0);
    assertThat(hung.failures()).singleElement().asString().contains("a call hung (2500 ms");
    Summary never = Summary.of(List.of(run("kill", 1, client(Clients.RESILIENT, null, 0, 100)))).get(0);
    assertThat(never.failures()).singleElement().asString().contains("recovered in 0 of 1 runs");
    assertThat(never.missedGoals()).as("one run does not judge the median")
        .noneSatisfy(m -> assertThat(m).contains("median"));
  }

  @Test
  void html_isSelfContained_withBothMarkersAndOneLinePerClient() {
    RunResult r = run("kill", 1, client(Clients.RESILIENT, 180L, 0, 150), client(Clients.REDISSON, 1700L, 0, 3900));
    String html = Report.html(List.of(r), Summary.of(List.of(r)), List.of(), 1);
    assertThat(html).doesNotContain("<script", "<link", "src=", "@import", "url(");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http:", "https:");
    assertThat(html).contains(">fault</text>", ">DNS flip</text>", "flip &quot;the&quot; &lt;name&gt;");
    assertThat(html.split("<polyline", -1)).hasSize(1 + 2 * 2); // two charts, two clients each
    assertThat(html).contains("met every goal").contains("the median goal, &lt;= 1000 ms, needs --runs 5");
  }

  @Test
  void niceCeiling_roundsUpToOneTwoOrFive() {
    assertThat(Report.niceCeiling(1)).isEqualTo(1);
    assertThat(Report.niceCeiling(401)).isEqualTo(500);
    assertThat(Report.niceCeiling(120)).isEqualTo(200);
    assertThat(Report.niceCeiling(2000)).isEqualTo(2000);
  }
}
