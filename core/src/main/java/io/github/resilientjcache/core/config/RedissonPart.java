package io.github.resilientjcache.core.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.redisson.config.Config;
import org.redisson.config.ConfigSupport;
import org.yaml.snakeyaml.composer.ComposerException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserException;
import org.yaml.snakeyaml.scanner.ScannerException;

/**
 * Hands the Redisson part of the file to Redisson and translates its rejections. Redisson's messages
 * quote the file's text (after it replaced {@code ${VAR}} placeholders, so possibly a real password),
 * so they are never copied: the message is rebuilt from the line, the key path found in our own node
 * tree, and the kind of failure.
 */
final class RedissonPart {

  /** The top-level keys that say how to reach Redis, each with how {@code toString} calls it. */
  static final Map<String, String> SERVER_SECTIONS = serverSections();

  private static final Pattern ENUM_CLASS = Pattern.compile("for enum class: ([\\w.$]+)$");

  final Config config;
  final String mode;

  private RedissonPart(Config config, String mode) {
    this.config = config;
    this.mode = mode;
  }

  private static Map<String, String> serverSections() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("singleServerConfig", "single server");
    m.put("sentinelServersConfig", "sentinel");
    m.put("clusterServersConfig", "cluster");
    m.put("replicatedServersConfig", "replicated");
    m.put("masterSlaveServersConfig", "master/slave");
    return Collections.unmodifiableMap(m);
  }

  /**
   * Parses {@code text}, the file with our sections blanked; {@code top} is the whole file's top-level
   * mapping, whose line numbers {@code text} shares.
   */
  static RedissonPart parse(String text, MappingNode top, List<NodeTuple> redissonTuples, String source) {
    NodeTuple server = null;
    for (NodeTuple tuple : redissonTuples) {
      String name = ((ScalarNode) tuple.getKeyNode()).getValue();
      if (SERVER_SECTIONS.containsKey(name)) {
        if (server != null) {
          throw ConfigFileException.at(source, tuple.getKeyNode().getStartMark(), name + " and "
              + ((ScalarNode) server.getKeyNode()).getValue() + " are both set; Redisson takes one server section");
        }
        server = tuple;
      }
    }
    if (server == null) {
      // Config.fromYAML accepts a file without one; Redisson.create would fail much later.
      throw ConfigFileException.of(source, "no Redis server section; add one of "
          + String.join(", ", SERVER_SECTIONS.keySet()), null);
    }
    String serverName = ((ScalarNode) server.getKeyNode()).getValue();

    Config config;
    try {
      config = Config.fromYAML(text);
    } catch (YAMLException e) {
      throw rejected(e, top, source);
    } catch (RuntimeException e) {
      throw ConfigFileException.of(source, "Redisson rejected the file (" + e.getClass().getSimpleName() + ")",
          null);
    }
    try {
      // The checks Redisson.create would make (pool sizes against minimum idle sizes), made now, while
      // the error can still name the file. Their messages are fixed text, with no values.
      ConfigSupport.getConfig(config);
    } catch (IllegalArgumentException e) {
      throw ConfigFileException.at(source, server.getKeyNode().getStartMark(),
          serverName + " is rejected by Redisson: " + e.getMessage());
    }
    // new Config(c) sets a default codec on c when it has none; do it once here, so the copies made
    // later for callers never write to this shared instance.
    new Config(config);
    return new RedissonPart(config, SERVER_SECTIONS.get(serverName));
  }

  private static ConfigFileException rejected(YAMLException e, MappingNode top, String source) {
    // Nested beans wrap the failure once per level; the innermost marked one points at the bad value.
    MarkedYAMLException innermost = null;
    Throwable root = e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        innermost = m;
      }
      root = t;
    }
    if (innermost == null) {
      return ConfigFileException.of(source, "Redisson rejected the file (" + root.getClass().getSimpleName() + ")",
          null);
    }
    if (innermost instanceof ScannerException || innermost instanceof ParserException
        || innermost instanceof ComposerException) {
      // The whole file composed, so the text Redisson read differs: a ${VAR} it replaced brought in YAML
      // syntax (a quote, ": ", a line break), or an alias points into one of our blanked sections.
      return YamlText.malformed(source, innermost, " in the text given to Redisson (with ${...} placeholders"
          + " replaced and the resilience, nearCache and caches sections left out)");
    }
    Mark mark = innermost.getProblemMark();
    Located at = locate(top, mark, "", null);
    if (at == null) {
      return ConfigFileException.at(source, mark,
          "Redisson rejected this line (" + root.getClass().getSimpleName() + ")");
    }
    if (isUnknownProperty(root)) {
      return ConfigFileException.at(source, at.key.getStartMark(), at.path + " is not a Redisson setting");
    }
    if (root instanceof NumberFormatException) {
      return ConfigFileException.at(source, mark, at.path + " must be a number");
    }
    String constants = enumConstants(root);
    if (constants != null) {
      return ConfigFileException.at(source, mark, at.path + " must be one of " + constants);
    }
    return ConfigFileException.at(source, mark,
        at.path + " has a value Redisson cannot use (" + root.getClass().getSimpleName() + ")");
  }

  /**
   * Whether snakeyaml failed to find a bean property. Older snakeyaml says "Unable to find property";
   * 2.x under Redisson's property utils fails with a NullPointerException on the missing property.
   */
  private static boolean isUnknownProperty(Throwable root) {
    String m = String.valueOf(root.getMessage());
    return m.contains("Unable to find property")
        || (root instanceof NullPointerException && m.contains("\"property\" is null"));
  }

  /**
   * The names an enum setting accepts, when snakeyaml failed to find the value among them. They come from
   * the enum class that snakeyaml's message names, never from the value it quotes.
   */
  private static @Nullable String enumConstants(Throwable root) {
    Matcher m = ENUM_CLASS.matcher(String.valueOf(root.getMessage()));
    if (!m.find()) {
      return null;
    }
    try {
      Object[] constants = Class.forName(m.group(1), false, Config.class.getClassLoader()).getEnumConstants();
      if (constants == null) {
        return null;
      }
      return Arrays.stream(constants).map(Object::toString).collect(Collectors.joining(", "));
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  /** The deepest key whose key or value holds {@code mark}, with its dotted path, or null. */
  private static @Nullable Located locate(Node node, Mark mark, String path, @Nullable Node key) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        Node k = tuple.getKeyNode();
        String child = (path.isEmpty() ? "" : path + ".") + (k instanceof ScalarNode s ? s.getValue() : "?");
        if (compare(tuple.getValueNode().getStartMark(), mark) == 0) {
          // snakeyaml marks a bad property at its value's start; a block mapping value starts where its own
          // first key does, so the shallowest match is the property that failed.
          return new Located(child, k);
        }
        if (contains(tuple.getValueNode(), mark)) {
          return locate(tuple.getValueNode(), mark, child, k);
        }
        if (contains(k, mark)) {
          return new Located(child, k);
        }
      }
    } else if (node instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        if (contains(items.get(i), mark)) {
          return locate(items.get(i), mark, path + "[" + i + "]", key);
        }
      }
    }
    return key == null ? null : new Located(path, key);
  }

  private static boolean contains(Node node, Mark mark) {
    Mark start = node.getStartMark();
    Mark end = node.getEndMark();
    return compare(start, mark) <= 0 && (compare(mark, end) < 0 || compare(mark, start) == 0);
  }

  /** Orders marks by line and column, which the file and Redisson's copy of it share. */
  private static int compare(Mark a, Mark b) {
    return a.getLine() != b.getLine() ? Integer.compare(a.getLine(), b.getLine())
        : Integer.compare(a.getColumn(), b.getColumn());
  }

  /** A key in the file and its dotted path from the top. */
  private record Located(String path, Node key) {}
}
