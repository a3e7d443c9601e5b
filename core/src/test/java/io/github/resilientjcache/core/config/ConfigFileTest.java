package io.github.resilientjcache.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilientjcache.core.ResilienceConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** The config file against real YAML; Config.fromYAML does not connect, so no Redis is needed. */
class ConfigFileTest {

  private static final String SOURCE = "file:///etc/app/cache.yaml";

  private static final String EXAMPLE = """
      singleServerConfig:
        address: "redis://primary.example.internal:6379"
        password: "${REDIS_PASSWORD}"
      resilience:
        probeInterval: 500ms
        probeTimeout: 0.5s
        rebuildBackoffMax: PT10S
        retryMaxAttempts: 3
      nearCache:
        enabled: true
        maximumSize: 10000
      caches:
        users:
          onUnavailable: MISS
      """;

  private static final String SERVER = """
      singleServerConfig:
        address: "redis://127.0.0.1:6379"
      """;

  @Test
  void parse_exampleFile_readsEverySection() {
    ConfigFile file = ConfigFile.parse(EXAMPLE, SOURCE);

    Config redisson = file.redissonConfig();
    assertThat(redisson.isSingleConfig()).isTrue();
    assertThat(redisson.useSingleServer().getAddress()).isEqualTo("redis://primary.example.internal:6379");
    ResilienceConfig r = file.resilience();
    assertThat(r.probeInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(r.probeTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(r.rebuildBackoffMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.retryMaxAttempts()).isEqualTo(3);
    assertThat(file.nearCache()).containsExactly(Map.entry("enabled", true), Map.entry("maximumSize", 10000));
    assertThat(file.caches()).containsExactly(Map.entry("users", Map.of("onUnavailable", "MISS")));
    assertThat(file.source()).isEqualTo(SOURCE);
  }

  @Test
  void parse_placeholderWithoutValue_isLeftForRedissonAsWritten() {
    // Redisson 4 reads the password at the top level (the one in singleServerConfig is deprecated).
    ConfigFile file = ConfigFile.parse(SERVER + "password: \"${RESILIENTJCACHE_TEST_UNSET}\"\n", SOURCE);

    // Redisson replaces ${VAR} from a system property or the environment, and keeps it when neither is set.
    assertThat(file.redissonConfig().getPassword()).isEqualTo("${RESILIENTJCACHE_TEST_UNSET}");
  }

  @Test
  void parse_placeholderWithSystemProperty_isResolvedByRedisson() {
    System.setProperty("resilientjcache.test.password", "from-property");
    try {
      ConfigFile file = ConfigFile.parse(SERVER + "password: \"${resilientjcache.test.password}\"\n", SOURCE);

      assertThat(file.redissonConfig().getPassword()).isEqualTo("from-property");
    } finally {
      System.clearProperty("resilientjcache.test.password");
    }
  }

  @Test
  void parse_withoutOurSections_usesDefaults() {
    ConfigFile file = ConfigFile.parse(SERVER, SOURCE);

    assertThat(file.resilience()).isEqualTo(ResilienceConfig.defaults());
    assertThat(file.nearCache()).isEmpty();
    assertThat(file.caches()).isEmpty();
    assertThat(file.redissonConfig().useSingleServer().getAddress()).isEqualTo("redis://127.0.0.1:6379");
  }

  @Test
  void parse_emptySections_useDefaults() {
    ConfigFile file = ConfigFile.parse(SERVER + "resilience:\nnearCache: {}\ncaches:\n", SOURCE);

    assertThat(file.resilience()).isEqualTo(ResilienceConfig.defaults());
    assertThat(file.nearCache()).isEmpty();
    assertThat(file.caches()).isEmpty();
  }

  @Test
  void parse_resilienceSection_overridesDefaultsAndKeepsTheRest() {
    ConfigFile file = ConfigFile.parse(SERVER + """
        resilience:
          probeFailuresToOpen: 4
          dnsCheckInterval: 0
          failureRateThreshold: 62.5
          slidingWindowSize: 40
          minimumNumberOfCalls: 10
          topologyGracePeriod: 1m
        """, SOURCE);

    ResilienceConfig expected = ResilienceConfig.builder().probeFailuresToOpen(4).dnsCheckInterval(Duration.ZERO)
        .failureRateThreshold(62.5f).slidingWindowSize(40).minimumNumberOfCalls(10)
        .topologyGracePeriod(Duration.ofMinutes(1)).build();
    assertThat(file.resilience()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is {1} ms")
  @CsvSource({
      "PT0.5S, 500",
      "pt2s, 2000",
      "500ms, 500",
      "2s, 2000",
      "1.5s, 1500",
      "0.25s, 250",
      "1m, 60000",
      "1h, 3600000",
      "750, 750",
      "'\"750\"', 750",
  })
  void parse_duration_acceptsIsoUnitsAndBareMilliseconds(String yaml, long millis) {
    ConfigFile file = ConfigFile.parse(SERVER + "resilience:\n  closeTimeout: " + yaml + "\n", SOURCE);

    assertThat(file.resilience().closeTimeout()).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void parse_unknownResilienceKey_namesItTheLineAndTheKnownSettings() {
    String yaml = SERVER + """
        resilience:
          probeInterval: 1s
          probeTimout: 1s
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 5: resilience.probeTimout is not a setting;"
            + " known settings: probeInterval, probeTimeout, probeFailuresToOpen, dnsCheckInterval,"
            + " failureRateThreshold, slidingWindowSize, minimumNumberOfCalls, retryMaxAttempts,"
            + " retryInitialInterval, retryMaxInterval, rebuildBackoffInitial, rebuildBackoffMax, verifyTimeout,"
            + " closeTimeout, topologyGracePeriod, probeKey");
  }

  @Test
  void parse_valueTheBuilderRejects_carriesTheBuildersMessage() {
    String yaml = SERVER + """
        # comment
        resilience:
          probeInterval: 1s

          probeTimeout: 0s
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 7: resilience.probeTimeout must be positive but was PT0S");
  }

  @Test
  void parse_durationInAnUnknownFormat_namesTheFormatsAndTheValue() {
    String yaml = SERVER + "resilience:\n  verifyTimeout: 5 parsecs\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 4: resilience.verifyTimeout must be a duration"
            + " such as 500ms, 1.5s, 2m, 1h, PT0.5S or a whole number of milliseconds but was 5 parsecs");
  }

  @Test
  void parse_fractionOfMillisecondsWithoutUnit_isNotADuration() {
    String yaml = SERVER + "resilience:\n  verifyTimeout: 0.5\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("line 4: resilience.verifyTimeout must be a duration")
        .hasMessageEndingWith("but was 0.5");
  }

  @Test
  void parse_wordWhereANumberBelongs_namesTheExpectedType() {
    String yaml = SERVER + "resilience:\n  retryMaxAttempts: three\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 4: resilience.retryMaxAttempts must be a whole number but was three");
  }

  @Test
  void parse_listWhereADurationBelongs_saysItIsAList() {
    String yaml = SERVER + "resilience:\n  probeInterval:\n    - 1s\n    - 2s\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining(SOURCE + ", line 5: resilience.probeInterval must be a duration")
        .hasMessageEndingWith("but was a list");
  }

  @Test
  void parse_resilienceThatIsNotAMapping_saysSo() {
    String yaml = SERVER + "resilience: 3\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 3: resilience must be a mapping");
  }

  @Test
  void parse_nearCacheThatIsNotAMapping_saysSo() {
    String yaml = SERVER + "nearCache:\n  - enabled\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 3: nearCache must be a mapping");
  }

  @Test
  void parse_cacheEntryThatIsNotAMapping_namesTheCache() {
    String yaml = SERVER + "caches:\n  users: MISS\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 4: caches.users must be a mapping");
  }

  @Test
  void parse_settingGivenTwice_namesBothLines() {
    String yaml = SERVER + "resilience:\n  probeInterval: 1s\n  probeInterval: 2s\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 5: resilience.probeInterval is set twice (first on line 4)");
  }

  @Test
  void parse_duplicateKeyDeepInNearCache_isRejectedWithItsLine() {
    String yaml = SERVER + "nearCache:\n  expiry:\n    after: 1m\n    after: 2m\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 6: nearCache.expiry: found duplicate key after");
  }

  @Test
  void parse_settingsThatContradictEachOther_pointAtTheOneInTheFile() {
    String yaml = SERVER + "resilience:\n  probeInterval: 1s\n  retryInitialInterval: 1s\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 5: resilience.retryMaxInterval (PT0.5S)"
            + " must not be less than retryInitialInterval (PT1S)");
  }

  @Test
  void parse_malformedYaml_reportsTheLineButNotThePassword() {
    String yaml = """
        singleServerConfig:
          address: "redis://127.0.0.1:6379"
          password: "s3cret" x
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageStartingWith("resilient-jcache config " + SOURCE + ", line 3: malformed YAML: ")
        .hasMessageNotContaining("s3cret")
        .hasNoCause();
  }

  @Test
  void parse_unterminatedQuote_reportsWhereItStarted() {
    String yaml = """
        singleServerConfig:
          address: "redis://127.0.0.1:6379"
          password: "s3cret
          timeout: 3000
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining(SOURCE + ", line 5: malformed YAML: ")
        .hasMessageContaining("from line 3")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void parse_placeholderThatBreaksTheYaml_neverShowsTheResolvedPassword() {
    System.setProperty("resilientjcache.test.secret", "s3cret: x");
    try {
      String yaml = SERVER + "  password: ${resilientjcache.test.secret}\n";

      assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
          .isInstanceOf(ConfigFileException.class)
          .hasMessageContaining(SOURCE + ", line 3: malformed YAML")
          .hasMessageContaining("placeholders")
          .hasMessageNotContaining("s3cret")
          .hasNoCause();
    } finally {
      System.clearProperty("resilientjcache.test.secret");
    }
  }

  @Test
  void parse_keyRedissonDoesNotKnow_namesTheSourceKeyPathAndLine() {
    String yaml = """
        singleServerConfig:
          address: "redis://127.0.0.1:6379"
          password: "s3cret"
          adress: "redis://127.0.0.1:6380"
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 4: singleServerConfig.adress is not a Redisson setting")
        .hasNoCause();
  }

  @Test
  void parse_unknownKeyWithABlockValue_namesTheKeyNotItsChild() {
    String yaml = SERVER + "  sslOptionz:\n    verify: true\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 3: singleServerConfig.sslOptionz is not a Redisson setting");
  }

  @Test
  void parse_badRedissonValue_namesTheKeyButNotTheValue() {
    String yaml = """
        singleServerConfig:
          address: "redis://127.0.0.1:6379"
          connectionPoolSize: s3cret
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 3: singleServerConfig.connectionPoolSize must be a number");
  }

  @Test
  void parse_badRedissonEnumValue_listsTheAcceptedNames() {
    String yaml = """
        sentinelServersConfig:
          masterName: "mymaster"
          sentinelAddresses: ["redis://127.0.0.1:26379"]
          readMode: S3CRET
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 4: sentinelServersConfig.readMode must be one of SLAVE, MASTER, MASTER_SLAVE");
  }

  @Test
  void parse_redissonErrorBelowOurSections_reportsTheFilesOwnLine() {
    String yaml = """
        resilience:
          probeInterval: 1s
          probeTimeout: 2s
        nearCache:
          enabled: true
        caches:
          users: {}
        singleServerConfig:
          address: "redis://127.0.0.1:6379"
          timeoutt: 3000
        """;

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 10: singleServerConfig.timeoutt is not a Redisson setting");
  }

  @Test
  void parse_windowsLineEndings_keepTheFilesOwnLines() {
    String yaml = "resilience:\r\n  probeInterval: 1s\r\n\r\nsingleServerConfig:\r\n"
        + "  address: \"redis://127.0.0.1:6379\"\r\n  timeoutt: 3000\r\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE
            + ", line 6: singleServerConfig.timeoutt is not a Redisson setting");
  }

  @Test
  void parse_topLevelKeyRedissonDoesNotKnow_isNamed() {
    String yaml = SERVER + "resilence:\n  probeInterval: 1s\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 3: resilence is not a Redisson setting");
  }

  @Test
  void parse_noServerSection_saysWhichOnesExist() {
    assertThatThrownBy(() -> ConfigFile.parse("threads: 4\nresilience:\n  retryMaxAttempts: 2\n", SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ": no Redis server section; add one of"
            + " singleServerConfig, sentinelServersConfig, clusterServersConfig, replicatedServersConfig,"
            + " masterSlaveServersConfig");
  }

  @Test
  void parse_twoServerSections_isRejected() {
    String yaml = SERVER + "clusterServersConfig:\n  nodeAddresses:\n    - \"redis://127.0.0.1:7000\"\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageStartingWith("resilient-jcache config " + SOURCE + ", line 3: clusterServersConfig and"
            + " singleServerConfig are both set");
  }

  @Test
  void parse_poolSmallerThanItsIdleMinimum_failsAtLoadNotAtConnect() {
    String yaml = SERVER + "  connectionPoolSize: 2\n  connectionMinimumIdleSize: 5\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + SOURCE + ", line 1: singleServerConfig is rejected by Redisson:"
            + " connectionPoolSize can't be lower than connectionMinimumIdleSize");
  }

  @Test
  void parse_emptyFile_saysItNeedsAServer() {
    assertThatThrownBy(() -> ConfigFile.parse("# nothing yet\n", SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageStartingWith("resilient-jcache config " + SOURCE + ": is empty");
  }

  @Test
  void parse_topLevelThatIsNotAMapping_saysSo() {
    assertThatThrownBy(() -> ConfigFile.parse("- singleServerConfig\n", SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageStartingWith("resilient-jcache config " + SOURCE + ", line 1: the top level must be a mapping");
  }

  @Test
  void parse_flowStyleTopLevelWithOurSection_isRejected() {
    String yaml = "{singleServerConfig: {address: \"redis://127.0.0.1:6379\"}, resilience: {probeInterval: 1s}}\n";

    assertThatThrownBy(() -> ConfigFile.parse(yaml, SOURCE))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("line 1: the top level must be in block style");
  }

  @Test
  void parse_sentinelServersConfig_works() {
    ConfigFile file = ConfigFile.parse("""
        sentinelServersConfig:
          masterName: "mymaster"
          sentinelAddresses:
            - "redis://127.0.0.1:26379"
            - "redis://127.0.0.1:26380"
        resilience:
          topologyGracePeriod: 45s
        """, SOURCE);

    Config redisson = file.redissonConfig();
    assertThat(redisson.isSentinelConfig()).isTrue();
    assertThat(redisson.useSentinelServers().getMasterName()).isEqualTo("mymaster");
    assertThat(redisson.useSentinelServers().getSentinelAddresses())
        .containsExactly("redis://127.0.0.1:26379", "redis://127.0.0.1:26380");
    assertThat(file.resilience().topologyGracePeriod()).isEqualTo(Duration.ofSeconds(45));
    assertThat(file).hasToString("ConfigFile[" + SOURCE + ", sentinel, resilience=" + file.resilience()
        + ", nearCache={}, caches=[]]");
  }

  @Test
  void parse_clusterServersConfig_works() {
    ConfigFile file = ConfigFile.parse("""
        nearCache:
          maximumSize: 500
        clusterServersConfig:
          scanInterval: 1000
          nodeAddresses:
            - "redis://127.0.0.1:7000"
            - "redis://127.0.0.1:7001"
        """, SOURCE);

    Config redisson = file.redissonConfig();
    assertThat(redisson.isClusterConfig()).isTrue();
    assertThat(redisson.useClusterServers().getNodeAddresses())
        .containsExactly("redis://127.0.0.1:7000", "redis://127.0.0.1:7001");
    assertThat(redisson.useClusterServers().getScanInterval()).isEqualTo(1000);
    assertThat(file.nearCache()).containsExactly(Map.entry("maximumSize", 500));
  }

  @Test
  void parse_codecWithAGlobalTag_survivesTheRemovalOfOurSections() {
    ConfigFile file = ConfigFile.parse(SERVER + """
        resilience:
          retryMaxAttempts: 2
        codec: !<org.redisson.client.codec.StringCodec> {}
        """, SOURCE);

    assertThat(file.redissonConfig().getCodec()).isInstanceOf(StringCodec.class);
  }

  @Test
  void parse_codecWithRedissonsShortTag_survivesToo() {
    ConfigFile file = ConfigFile.parse(SERVER + "codec: !!org.redisson.client.codec.StringCodec {}\n", SOURCE);

    assertThat(file.redissonConfig().getCodec()).isInstanceOf(StringCodec.class);
  }

  @Test
  void redissonConfig_returnsANewCopyEachCall() {
    ConfigFile file = ConfigFile.parse(SERVER, SOURCE);

    Config first = file.redissonConfig();
    first.useSingleServer().setAddress("redis://changed:6379");
    Config second = file.redissonConfig();

    assertThat(second).isNotSameAs(first);
    assertThat(second.useSingleServer().getAddress()).isEqualTo("redis://127.0.0.1:6379");
  }

  @Test
  void nearCacheAndCaches_areUnmodifiableAllTheWayDown() {
    ConfigFile file = ConfigFile.parse(SERVER + """
        nearCache:
          tags: [a, b]
        caches:
          users:
            onUnavailable: MISS
        """, SOURCE);

    assertThat(file.nearCache().get("tags")).isEqualTo(List.of("a", "b"));
    @SuppressWarnings("unchecked")
    List<Object> tags = (List<Object>) file.nearCache().get("tags");
    assertThatThrownBy(() -> tags.add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> file.nearCache().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> file.caches().get("users").put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toString_summarizesWithoutThePassword() {
    ConfigFile file = ConfigFile.parse(SERVER + "  password: \"s3cret\"\n" + "caches:\n  users: {}\n", SOURCE);

    assertThat(file.toString())
        .startsWith("ConfigFile[" + SOURCE + ", single server, resilience=ResilienceConfig{")
        .endsWith(", nearCache={}, caches=[users]]")
        .doesNotContain("s3cret")
        .doesNotContain("127.0.0.1");
  }

  @Test
  void load_path_readsTheFileAndNamesItByUri(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("cache.yaml");
    Files.writeString(path, EXAMPLE);

    ConfigFile file = ConfigFile.load(path);

    assertThat(file.source()).isEqualTo(path.toUri().toString());
    assertThat(file.resilience().retryMaxAttempts()).isEqualTo(3);
    assertThat(ConfigFile.load(path.toUri()).caches()).containsOnlyKeys("users");
  }

  @Test
  void load_errorInAFile_namesTheFile(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("cache.yaml");
    Files.writeString(path, SERVER + "resilience:\n  probeTimeout: -1\n");

    assertThatThrownBy(() -> ConfigFile.load(path))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config " + path.toUri() + ", line 4: resilience.probeTimeout must be"
            + " positive but was PT-0.001S");
  }

  @Test
  void load_missingFile_namesThePath(@TempDir Path dir) {
    Path path = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> ConfigFile.load(path))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining(path.toAbsolutePath().toString())
        .hasMessageContaining("no such file");
  }

  @Test
  void load_classpathUri_readsTheResource() {
    ConfigFile file = ConfigFile.load(URI.create("classpath:config/classpath-example.yaml"));

    assertThat(file.source()).isEqualTo("classpath:config/classpath-example.yaml");
    assertThat(file.redissonConfig().isSentinelConfig()).isTrue();
    assertThat(file.resilience().retryMaxAttempts()).isEqualTo(2);
  }

  @Test
  void load_missingClasspathResource_namesIt() {
    assertThatThrownBy(() -> ConfigFile.load(URI.create("classpath:config/missing.yaml")))
        .isInstanceOf(ConfigFileException.class)
        .hasMessage("resilient-jcache config classpath:config/missing.yaml: no such resource on the class path");
  }

  @Test
  void load_unsupportedScheme_neverShowsTheUriPassword() {
    assertThatThrownBy(() -> ConfigFile.load(URI.create("redis://user:s3cret@127.0.0.1:6379")))
        .isInstanceOf(ConfigFileException.class)
        .hasMessageContaining("unsupported URI scheme redis")
        .hasMessageNotContaining("s3cret");
  }
}
