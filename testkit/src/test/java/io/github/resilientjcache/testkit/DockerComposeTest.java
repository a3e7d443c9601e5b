package io.github.resilientjcache.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Docker does not run on our machines, so docker-compose.yml is kept honest here: it parses, and each
 * service runs a server configured exactly as the testkit configures its local processes (apart from
 * where it lives: address, port, files), so what users start with Docker is what our tests start.
 */
class DockerComposeTest {

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> services() throws Exception {
    Path file = Path.of("..", "docker-compose.yml");
    assertThat(file).as("docker-compose.yml at the repository root").exists();
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Map<String, Object> root = new Yaml(options).load(r);
      return (Map<String, Map<String, Object>>) root.get("services");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> command(Map<String, Object> service) {
    List<String> cmd = new ArrayList<>();
    for (Object o : (List<Object>) service.get("command")) {
      Matcher m = ENV_DEFAULT.matcher(String.valueOf(o));
      cmd.add(m.replaceAll(Matcher.quoteReplacement("$1")));
    }
    return cmd;
  }

  /** {@code --name arg...} pairs as directives; {@code --sentinel monitor ...} becomes "sentinel monitor". */
  private static List<RedisConf.Directive> directives(List<String> args) {
    List<RedisConf.Directive> out = new ArrayList<>();
    int i = 0;
    while (i < args.size()) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        i++;
        continue;
      }
      String name = a.substring(2);
      i++;
      if (name.equals("sentinel") && i < args.size() && !args.get(i).startsWith("--")) {
        name = "sentinel " + args.get(i++);
      }
      List<String> values = new ArrayList<>();
      while (i < args.size() && !args.get(i).startsWith("--")) {
        values.add(args.get(i++));
      }
      out.add(new RedisConf.Directive(name, values));
    }
    return out;
  }

  private static List<RedisConf.Directive> behaviour(List<RedisConf.Directive> ds) {
    return ds.stream().filter(d -> !RedisConf.PLACEMENT.contains(d.name()))
        .map(d -> d.name().equals("requirepass") || d.name().equals("masterauth")
            ? new RedisConf.Directive(d.name(), List.of("<secret>")) : d)
        .sorted(java.util.Comparator.comparing(RedisConf.Directive::name))
        .toList();
  }

  private static void assertSameBehaviour(String service, List<RedisConf.Directive> compose, RedisConf testkit) {
    assertThat(behaviour(compose)).as(service + " runs what the testkit runs")
        .isEqualTo(behaviour(testkit.directives()));
  }

  @Test
  void everyServiceRunsAServerConfiguredAsTheTestkitsOwn() throws Exception {
    Map<String, Map<String, Object>> services = services();
    assertThat(services).containsKeys("redis", "redis-primary", "redis-replica", "sentinel-1", "sentinel-2",
        "sentinel-3", "cluster-0", "cluster-5", "cluster-init");
    Path dir = Path.of("unused");
    Function<String, Boolean> hasProfile = name -> services.get(name).containsKey("profiles");
    assertThat(hasProfile.apply("redis")).as("standalone is the default").isFalse();

    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      String name = e.getKey();
      if (name.equals("cluster-init")) {
        continue;
      }
      assertThat(String.valueOf(e.getValue().get("image"))).as(name + " image").isEqualTo("redis:7.4");
      List<RedisConf.Directive> ds = directives(command(e.getValue()));
      RedisConf expected;
      if (name.equals("redis")) {
        expected = RedisConf.server("h", 1, dir).password("p");
      } else if (name.startsWith("redis-")) {
        expected = RedisConf.server("h", 1, dir);
      } else if (name.startsWith("sentinel-")) {
        expected = RedisConf.sentinel("h", 1, dir, SentinelRedis.MASTER_NAME, "h", 1, 2,
            SentinelRedis.DOWN_AFTER_MILLIS, SentinelRedis.FAILOVER_TIMEOUT_MILLIS);
        assertThat(ds).filteredOn(d -> d.name().equals("sentinel monitor")).singleElement()
            .extracting(RedisConf.Directive::args, org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactly("mymaster", "127.0.0.1", "6380", "2");
      } else {
        expected = RedisConf.server("h", 1, dir).cluster(ClusterRedis.NODE_TIMEOUT_MILLIS);
      }
      assertSameBehaviour(name, ds, expected);
    }
  }

  /** The standalone service's own settings, run here on a local port: it starts and wants its password. */
  @Test
  void standaloneService_startsLocally_andRequiresItsPassword(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    List<RedisConf.Directive> ds = directives(command(services().get("redis")));
    String password = ds.stream().filter(d -> d.name().equals("requirepass")).findFirst().orElseThrow().args().get(0);
    RedisConf conf = RedisConf.server("127.0.0.1", Ports.freePort("127.0.0.1"), dir);
    for (RedisConf.Directive d : ds) {
      if (!RedisConf.PLACEMENT.contains(d.name())) {
        conf.set(d.name(), d.args().toArray(String[]::new));
      }
    }
    RedisNode node = new RedisNode("compose-redis", conf, dir, password).start();
    try {
      assertThat(node.call("SET", "k", "v")).isEqualTo("OK");
      assertThat(node.call("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
      assertThatThrownBy(() -> RespClient.call(node.host(), node.port(), java.time.Duration.ofSeconds(2), "GET", "k"))
          .hasMessageStartingWith("NOAUTH");
    } finally {
      node.stop();
    }
  }
}
