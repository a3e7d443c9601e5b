package io.github.resilientjcache.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The logs of the servers a test used, kept past their fixture's close so that {@link RedisLogsOnFailure}
 * can print them when the test fails.
 */
final class ServerLogs {

  private static final int TAIL_LINES = 80;
  private static final Map<RedisNode, Boolean> LIVE = new ConcurrentHashMap<>();
  private static final List<String> CLOSED = new CopyOnWriteArrayList<>();

  private ServerLogs() {}

  static void started(RedisNode node) {
    LIVE.put(node, Boolean.TRUE);
  }

  static void stopped(RedisNode node) {
    if (LIVE.remove(node) != null) {
      CLOSED.add(render(node));
    }
  }

  /** Forgets the logs of fixtures closed before this point (a new test starts). */
  static void reset() {
    CLOSED.clear();
  }

  /** The logs of every live node and of every node stopped since the last {@link #reset}. */
  static String dump() {
    List<String> parts = new ArrayList<>(CLOSED);
    for (RedisNode node : LIVE.keySet()) {
      parts.add(render(node));
    }
    return String.join("\n", parts);
  }

  static String tail(String log, int lines) {
    String[] all = log.split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }

  private static String render(RedisNode node) {
    return "==== " + node + " (" + node.dir() + ") ====\n" + tail(node.log(), TAIL_LINES);
  }
}
