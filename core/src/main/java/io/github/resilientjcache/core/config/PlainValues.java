package io.github.resilientjcache.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns nodes of our own sections into plain, unmodifiable Java values (String, Integer, Boolean, List,
 * Map, ...) with snakeyaml's safe rules, so no class named in the file is ever instantiated from them.
 */
final class PlainValues {

  private final String source;
  private final Constructor constructor = new Constructor();
  private final Map<String, Integer> lines = new HashMap<>();

  PlainValues(String source) {
    this.source = source;
  }

  /**
   * A first-level section such as {@code nearCache:} as a map from its keys to their values; empty when
   * the file has no such section or leaves it empty.
   */
  Map<String, Object> section(@Nullable Node key, @Nullable Node value, String path) {
    return mapping(key, value, path, (k, v, p) -> {
      Object o = toJava(v, p);
      if (o == null) {
        throw ConfigFileException.at(source, k.getStartMark(), p + " has no value");
      }
      return o;
    });
  }

  /** The {@code caches:} section: cache name to that cache's own settings. */
  Map<String, Map<String, Object>> caches(@Nullable Node key, @Nullable Node value, String path) {
    // A cache listed without settings is harmless: it just takes the defaults.
    return mapping(key, value, path, this::section);
  }

  /** The zero-based line of every key recorded, by dotted path. */
  Map<String, Integer> lines() {
    return Map.copyOf(lines);
  }

  /** Records the line of {@code key} (at {@code path}) and of every key nested in its value. */
  void recordLines(Node key, Node value, String path) {
    lines.putIfAbsent(path, key.getStartMark().getLine());
    if (value instanceof MappingNode mapping) {
      for (NodeTuple t : mapping.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          recordLines(k, t.getValueNode(), path + "." + k.getValue());
        }
      }
    }
  }

  /** Reads one entry of a mapping: its key node, its value node, its dotted path. */
  private interface EntryReader<V> {
    V read(Node key, Node value, String path);
  }

  /** A mapping's entries in file order, each read by {@code reader}; a key set twice is an error. */
  private <V> Map<String, V> mapping(@Nullable Node key, @Nullable Node value, String path, EntryReader<V> reader) {
    if (key == null || value == null || isNull(value)) {
      return Map.of();
    }
    if (!(value instanceof MappingNode mapping)) {
      throw ConfigFileException.at(source, key.getStartMark(), path + " must be a mapping");
    }
    Map<String, V> out = new LinkedHashMap<>();
    Map<String, Mark> seen = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String name = keyName(keyNode, path, source);
      Mark first = seen.putIfAbsent(name, keyNode.getStartMark());
      if (first != null) {
        throw ConfigFileException.at(source, keyNode.getStartMark(),
            path + "." + name + " is set twice (first on line " + (first.getLine() + 1) + ")");
      }
      out.put(name, reader.read(keyNode, tuple.getValueNode(), path + "." + name));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The Java value of {@code node}, deeply unmodifiable; {@code path} names it in errors. */
  @Nullable Object toJava(Node node, String path) {
    Object value;
    try {
      value = constructor.construct(node);
    } catch (MarkedYAMLException e) {
      // Our sections hold no secrets, so snakeyaml's problem text ("found duplicate key x") is safe.
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : node.getStartMark();
      throw ConfigFileException.at(source, mark, path + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw ConfigFileException.at(source, node.getStartMark(), path + ": " + e.getMessage());
    }
    return freeze(value, path, node, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  /** The name of a mapping key; keys of our sections are names, not lists or maps. */
  static String keyName(Node key, String parentPath, String source) {
    if (key instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    throw ConfigFileException.at(source, key.getStartMark(), parentPath + " has a key that is not a name");
  }

  /** Whether {@code node} is YAML's null: an empty value, {@code ~} or {@code null}. */
  static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  /** The node's text for a message: its own text if a scalar, else what kind of collection it is. */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    String text = ((ScalarNode) node).getValue();
    return text.isEmpty() ? "empty" : text;
  }

  private @Nullable Object freeze(@Nullable Object value, String path, Node node, Set<Object> open) {
    if (value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Set<?>) {
      if (!open.add(value)) {
        // An alias inside its own anchor (&a [*a]): fine for YAML, endless for a plain Java copy.
        throw ConfigFileException.at(source, node.getStartMark(), path + " contains itself");
      }
      Object copy;
      if (value instanceof Map<?, ?> map) {
        Map<Object, @Nullable Object> m = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          m.put(e.getKey(), freeze(e.getValue(), path, node, open));
        }
        copy = Collections.unmodifiableMap(m);
      } else if (value instanceof List<?> list) {
        List<@Nullable Object> l = new ArrayList<>(list.size());
        for (Object o : list) {
          l.add(freeze(o, path, node, open));
        }
        copy = Collections.unmodifiableList(l);
      } else {
        Set<@Nullable Object> s = new LinkedHashSet<>();
        for (Object o : (Set<?>) value) {
          s.add(freeze(o, path, node, open));
        }
        copy = Collections.unmodifiableSet(s);
      }
      open.remove(value);
      return copy;
    }
    // A YAML timestamp; Date is mutable, Instant is not.
    return value instanceof Date date ? date.toInstant() : value;
  }

  /** snakeyaml's safe constructor, opened up to build a value from a node we already composed. */
  private static final class Constructor extends SafeConstructor {
    Constructor() {
      super(new LoaderOptions());
      // Yaml copies this from LoaderOptions into its constructor; built by hand, we set it ourselves.
      setAllowDuplicateKeys(false);
    }

    @Nullable Object construct(Node node) {
      return constructDocument(node);
    }
  }
}
