package io.github.resilientjcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilientjcache.core.config.ConfigFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.redisson.config.ConstantDelay;

/** The snippets in docs/ are run here, so the docs cannot drift from what works. */
class DocSnippetsTest {

  /** The first ```yaml block after {@code <!-- snippet: name -->} in a docs page. */
  static String snippet(String page, String name) throws IOException {
    String text = Files.readString(Path.of("..", "docs", page), StandardCharsets.UTF_8);
    int marker = text.indexOf("<!-- snippet: " + name + " -->");
    assertThat(marker).as("snippet " + name + " in docs/" + page).isNotNegative();
    int start = text.indexOf("```yaml\n", marker) + "```yaml\n".length();
    return text.substring(start, text.indexOf("```", start));
  }

  @Test
  void failoverPage_recommendedRedissonSettings_parseAsDocumented() throws IOException {
    ConfigFile file = ConfigFile.parse(snippet("failover.md", "recommended-redisson"), "docs/failover.md");
    var config = file.redissonConfig();
    var single = config.useSingleServer();
    assertThat(single.getAddress()).isEqualTo("redis://primary.example.internal:6379");
    assertThat(single.getTimeout()).isEqualTo(1000);
    assertThat(single.getConnectTimeout()).isEqualTo(2000);
    assertThat(single.getRetryAttempts()).isEqualTo(1);
    assertThat(single.getRetryDelay()).isInstanceOf(ConstantDelay.class);
    assertThat(single.getRetryDelay().calcDelay(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(file.resilience().probeInterval()).isEqualTo(Duration.ofMillis(500));
  }
}
