package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.testkit.RedisNode;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one get, put and remove of a 1 KB value costs each contender in Redis: the commands the server ran
 * ({@code INFO commandstats} deltas, scripts' inner commands included) and the bytes it received and sent
 * ({@code INFO stats} deltas), per operation, averaged over 2,000 of each; then the memory an entry takes
 * in Redis ({@code used_memory} growth over 10,000 entries).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.resilientjcache.benchmarks.CommandCost
 * </pre>
 */
public final class CommandCost {

  private static final int OPS = 2_000;

  private CommandCost() {}

  public static void main(String[] args) {
    byte[] value = new byte[JCacheBenchmark.VALUE_BYTES];
    ThreadLocalRandom.current().nextBytes(value);
    System.out.printf("%-18s %-7s %8s %8s  %s%n", "contender", "op", "in B/op", "out B/op", "commands per op");
    for (String name : new String[] {Contenders.RESILIENT, Contenders.REDISSON_JCACHE, Contenders.RMAP,
        Contenders.RBUCKET}) {
      try (StandaloneRedis redis = RedisTopology.standalone(); Contenders.Store store = Contenders.open(name, redis)) {
        for (int i = 0; i < 200; i++) { // warm: scripts loaded, connections made
          store.put("warm-" + i, value);
          store.get("warm-" + i);
          store.remove("warm-" + i);
        }
        measure(name, "put", redis.node(), () -> {
          for (int i = 0; i < OPS; i++) {
            store.put("key-" + i, value);
          }
        });
        measure(name, "get", redis.node(), () -> {
          for (int i = 0; i < OPS; i++) {
            store.get("key-" + i);
          }
        });
        measure(name, "remove", redis.node(), () -> {
          for (int i = 0; i < OPS; i++) {
            store.remove("key-" + i);
          }
        });
      }
    }
    System.out.printf("%n%-18s %12s %12s%n", "contender", "B/entry 100B", "B/entry 1KB");
    for (String name : new String[] {Contenders.RESILIENT, Contenders.REDISSON_JCACHE, Contenders.RMAP,
        Contenders.RBUCKET}) {
      System.out.printf(Locale.ROOT, "%-18s %12.0f %12.0f%n", name, memoryPerEntry(name, 100),
          memoryPerEntry(name, JCacheBenchmark.VALUE_BYTES));
    }
  }

  /** Redis' used_memory growth per entry over 10,000 entries with values of {@code size} bytes. */
  private static double memoryPerEntry(String name, int size) {
    int entries = 10_000;
    byte[] value = new byte[size];
    try (StandaloneRedis redis = RedisTopology.standalone(); Contenders.Store store = Contenders.open(name, redis)) {
      store.put("warm", value);
      long before = stat(redis.node(), "memory", "used_memory");
      for (int i = 0; i < entries; i++) {
        store.put("key-" + i, value);
      }
      long after = stat(redis.node(), "memory", "used_memory");
      return (double) (after - before) / entries;
    }
  }

  private static void measure(String name, String op, RedisNode node, Runnable run) {
    Map<String, Long> before = commands(node);
    long in = stat(node, "total_net_input_bytes");
    long out = stat(node, "total_net_output_bytes");
    run.run();
    long inAfter = stat(node, "total_net_input_bytes");
    long outAfter = stat(node, "total_net_output_bytes");
    Map<String, Long> after = commands(node);
    StringBuilder b = new StringBuilder();
    after.forEach((cmd, calls) -> {
      long d = calls - before.getOrDefault(cmd, 0L);
      if ((double) d / OPS >= 0.01 && !cmd.equals("info")) { // below: the supervisor's probe, in the background
        b.append(cmd).append(' ').append(String.format(Locale.ROOT, "%.2f", (double) d / OPS)).append("  ");
      }
    });
    System.out.printf(Locale.ROOT, "%-18s %-7s %8.0f %8.0f  %s%n", name, op, (double) (inAfter - in) / OPS,
        (double) (outAfter - out) / OPS, b.toString().trim());
  }

  private static long stat(RedisNode node, String field) {
    return stat(node, "stats", field);
  }

  private static long stat(RedisNode node, String section, String field) {
    return Long.parseLong(node.infoField(section, field).trim());
  }

  private static Map<String, Long> commands(RedisNode node) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : node.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
        String rest = line.substring(line.indexOf("calls=") + 6);
        calls.put(cmd, Long.parseLong(rest.substring(0, rest.indexOf(','))));
      }
    }
    return calls;
  }
}
