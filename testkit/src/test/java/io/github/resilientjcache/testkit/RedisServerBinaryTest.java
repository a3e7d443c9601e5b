package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RedisServerBinaryTest {

  @Test
  void get_findsARedisServerOfVersionSixOrLater() {
    RedisServerBinary binary = RedisServerBinary.get();
    assertThat(Files.isExecutable(binary.path())).isTrue();
    assertThat(binary.majorVersion()).isGreaterThanOrEqualTo(6);
    System.out.println("testkit runs " + binary);
  }

  @Test
  void extractEmbedded_yieldsARunnableBinary() throws Exception {
    Path p = RedisServerBinary.extractEmbedded();
    assertThat(Files.isExecutable(p)).isTrue();
    assertThat(RedisServerBinary.extractEmbedded()).as("extracted once").isEqualTo(p);
    Process version = new ProcessBuilder(p.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(version.waitFor()).isZero();
    assertThat(out).contains("Redis server v=6.2");
  }
}
