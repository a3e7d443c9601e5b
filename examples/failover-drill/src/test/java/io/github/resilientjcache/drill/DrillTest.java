package io.github.resilientjcache.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short drill on real redis-server processes, as a user runs it: the exit status and the reports. */
class DrillTest {

  @TempDir
  Path out;

  @Test
  void freezeDrill_oursRecovers_andTheReportsSaySo() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    int status;
    try (PrintStream ps = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      status = Drill.run(ps, "--scenario", "freeze", "--clients", "resilient-jcache,redisson-jcache-tuned",
          "--duration", "10s", "--fault-at", "3s", "--rate", "200", "--keys", "200", "--out", out.toString());
    }
    String text = console.toString(StandardCharsets.UTF_8);
    assertThat(status).as(text).isZero();
    assertThat(text).contains(">> SIGSTOP the primary", ">> promote the replica, flip the DNS name to it")
        .containsPattern("resilient-jcache +ok/s +\\d+ +failed/s")
        .contains("report: " + out.resolve("report.json").toAbsolutePath());
    String json = Files.readString(out.resolve("report.json"));
    assertThat(json).contains("\"scenario\": \"freeze\"")
        .containsPattern("\"name\": \"resilient-jcache\", \"recovered\": true, \"timeToRecoverMs\": \\d+")
        .containsPattern("\"name\": \"resilient-jcache\"[^\\n]*\"failedReadsOfWarmKeys\": 0,")
        // A stale value (outside the failover's window, near cache in sync) would be the near cache's fault.
        .containsPattern("\"name\": \"resilient-jcache\"[^\\n]*\"staleValuesRead\": 0,")
        .containsPattern("\"name\": \"resilient-jcache\"[^\\n]*\"hungCalls\": 0,")
        .contains("\"name\": \"redisson-jcache-tuned\"");
    assertThat(Files.readString(out.resolve("report.html"))).contains("<svg", "freeze, run 1");
  }
}
