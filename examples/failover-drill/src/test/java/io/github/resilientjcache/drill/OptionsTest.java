package io.github.resilientjcache.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void defaults_killEveryClientSixtySeconds() {
    Options o = Options.parse();
    assertThat(o.scenarios()).containsExactly(Scenario.KILL);
    assertThat(o.clients()).isEqualTo(Clients.NAMES);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.faultAt()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.runs()).isEqualTo(1);
  }

  @Test
  void quick_isShortUnlessTheDurationIsGiven() {
    assertThat(Options.parse("--quick").duration()).isEqualTo(Duration.ofSeconds(20));
    assertThat(Options.parse("--quick", "--duration", "30s").duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(Options.parse("--quick", "--fault-at", "500ms").faultAt()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void all_runsEveryScenarioInTurn() {
    assertThat(Options.parse("--scenario", "all").scenarios()).containsExactly(Scenario.values());
    assertThat(Options.parse("--scenario", "Blackhole").scenarios()).containsExactly(Scenario.BLACKHOLE);
  }

  @Test
  void clients_areNamedAndKeptInOrder() {
    assertThat(Options.parse("--clients", "seed-pattern, resilient-jcache").clients())
        .isEqualTo(List.of("seed-pattern", "resilient-jcache"));
  }

  @Test
  void badInput_namesTheOptionAndWhatWasWrong() {
    assertThatThrownBy(() -> Options.parse("--scenario", "reboot")).hasMessageContaining("--scenario 'reboot'")
        .hasMessageContaining("kill | freeze | demote | blackhole | all");
    assertThatThrownBy(() -> Options.parse("--clients", "lettuce")).hasMessageContaining("'lettuce'")
        .hasMessageContaining("resilient-jcache");
    assertThatThrownBy(() -> Options.parse("--duration", "soon")).hasMessageContaining("--duration 'soon'");
    assertThatThrownBy(() -> Options.parse("--runs", "0")).hasMessageContaining("--runs '0'");
    assertThatThrownBy(() -> Options.parse("--rate")).hasMessageContaining("--rate needs a value");
    assertThatThrownBy(() -> Options.parse("--verbose")).hasMessageContaining("unknown option --verbose");
    assertThatThrownBy(() -> Options.parse("--duration", "10s", "--fault-at", "9s"))
        .hasMessageContaining("nothing of --duration 10s");
  }

  @Test
  void help_listsEveryOption() {
    for (String option : new String[] {"--scenario", "--clients", "--duration", "--fault-at", "--flip-after",
        "--runs", "--rate", "--threads", "--keys", "--out", "--quick", "--help"}) {
      assertThat(Options.HELP).contains(option);
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    assertThat(Drill.run(new PrintStream(printed, true, StandardCharsets.UTF_8), "--help")).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo(Options.HELP);
    assertThat(Drill.run(new PrintStream(printed, true, StandardCharsets.UTF_8), "--nonsense")).isEqualTo(2);
  }
}
