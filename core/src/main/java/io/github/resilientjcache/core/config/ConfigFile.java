package io.github.resilientjcache.core.config;

import io.github.resilientjcache.core.ResilienceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.redisson.config.Config;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One config file, read and checked in full when loaded: a standard Redisson YAML config, so a Redisson
 * JCache user can switch by changing the provider class, plus our own top-level sections
 * {@code resilience:}, {@code nearCache:}, {@code caches:} and {@code serialization:}. Those are removed before
 * the rest goes to Redisson, which rejects keys it does not know. Immutable; a bad file fails with a
 * {@link ConfigFileException} that names the file, the line and the key.
 *
 * <pre>{@code
 * singleServerConfig:
 *   address: "redis://primary.example.internal:6379"
 *   password: "${REDIS_PASSWORD}"      # Redisson resolves it, from a system property or the environment
 * resilience:
 *   probeInterval: 500ms               # 500ms, 1.5s, 2m, 1h, PT0.5S, or a whole number of milliseconds
 *   retryMaxAttempts: 3
 * nearCache:
 *   enabled: true
 * caches:
 *   users:
 *     onUnavailable: MISS
 * }</pre>
 */
public final class ConfigFile {

  private static final String NEAR_CACHE = "nearCache";
  private static final String CACHES = "caches";
  private static final String SERIALIZATION = "serialization";
  private static final Set<String> OUR_SECTIONS = Set.of(ResilienceSection.NAME, NEAR_CACHE, CACHES, SERIALIZATION);

  private final String source;
  private final Config redisson;
  private final String serverMode;
  private final ResilienceConfig resilience;
  private final Map<String, Object> nearCache;
  private final Map<String, Map<String, Object>> caches;
  private final Map<String, Object> serialization;
  /** The zero-based line of each setting of our sections, by dotted path. */
  private final Map<String, Integer> lines;

  private ConfigFile(String source, RedissonPart redisson, ResilienceConfig resilience,
      Map<String, Object> nearCache, Map<String, Map<String, Object>> caches, Map<String, Object> serialization,
      Map<String, Integer> lines) {
    this.source = source;
    this.lines = lines;
    this.redisson = redisson.config;
    this.serverMode = redisson.mode;
    this.resilience = resilience;
    this.nearCache = nearCache;
    this.caches = caches;
    this.serialization = serialization;
  }

  /**
   * Loads a {@code file:} or {@code classpath:} URI (a URI without a scheme is a file path); class path
   * resources are found through the thread's context class loader.
   */
  public static ConfigFile load(URI uri) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return load(uri, loader != null ? loader : ConfigFile.class.getClassLoader());
  }

  /**
   * Loads a {@code file:} or {@code classpath:} URI, finding class path resources through
   * {@code classLoader} (JCache hands one to {@code getCacheManager}).
   */
  public static ConfigFile load(URI uri, ClassLoader classLoader) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(classLoader, "classLoader");
    String scheme = uri.getScheme();
    if (scheme == null) {
      return load(Path.of(uri.getPath()));
    }
    return switch (scheme.toLowerCase(Locale.ROOT)) {
      case "file" -> load(filePath(uri));
      case "classpath" -> loadResource(uri, classLoader);
      case "jar" -> loadJarEntry(uri);
      default -> throw ConfigFileException.of(withoutSecrets(uri),
          "unsupported URI scheme " + scheme + "; use a file:, classpath: or jar: URI", null);
    };
  }

  /** Loads a file; its {@code file:} URI names it in errors. */
  public static ConfigFile load(Path path) {
    Objects.requireNonNull(path, "path");
    String source = path.toUri().toString();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw ConfigFileException.of(source, "no such file: " + path.toAbsolutePath(), null);
    } catch (IOException e) {
      throw ConfigFileException.of(source, "cannot be read: " + e, e);
    }
    return parse(decode(bytes, source), source);
  }

  /**
   * Reads a config file's text.
   *
   * @param source names the text in error messages, such as the file's URI
   */
  public static ConfigFile parse(String yaml, String source) {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(source, "source");
    Node root = YamlText.compose(yaml, source);
    if (root == null) {
      throw ConfigFileException.of(source, "is empty; it needs a Redis server section such as singleServerConfig",
          null);
    }
    if (!(root instanceof MappingNode top)) {
      throw ConfigFileException.at(source, root.getStartMark(),
          "the top level must be a mapping of settings, such as singleServerConfig:");
    }
    Map<String, NodeTuple> ours = new LinkedHashMap<>();
    List<NodeTuple> theirs = new ArrayList<>();
    for (NodeTuple tuple : top.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        throw ConfigFileException.at(source, tuple.getKeyNode().getStartMark(),
            "the top level has a key that is not a name");
      }
      if (!OUR_SECTIONS.contains(key.getValue())) {
        theirs.add(tuple);
      } else if (ours.putIfAbsent(key.getValue(), tuple) != null) {
        throw ConfigFileException.at(source, key.getStartMark(), key.getValue() + " is set twice (first on line "
            + (ours.get(key.getValue()).getKeyNode().getStartMark().getLine() + 1) + ")");
      }
    }

    PlainValues plain = new PlainValues(source);
    ours.forEach((name, tuple) -> plain.recordLines(tuple.getKeyNode(), tuple.getValueNode(), name));
    ResilienceConfig resilience = ResilienceSection.read(keyOf(ours.get(ResilienceSection.NAME)),
        valueOf(ours.get(ResilienceSection.NAME)), plain, source);
    Map<String, Object> nearCache =
        plain.section(keyOf(ours.get(NEAR_CACHE)), valueOf(ours.get(NEAR_CACHE)), NEAR_CACHE);
    Map<String, Map<String, Object>> caches =
        plain.caches(keyOf(ours.get(CACHES)), valueOf(ours.get(CACHES)), CACHES);
    Map<String, Object> serialization =
        plain.section(keyOf(ours.get(SERIALIZATION)), valueOf(ours.get(SERIALIZATION)), SERIALIZATION);

    String redissonText = withoutOurSections(yaml, ours.values(), theirs, source);
    RedissonPart redisson = RedissonPart.parse(redissonText, top, theirs, source);
    return new ConfigFile(source, redisson, resilience, nearCache, caches, serialization, plain.lines());
  }

  /**
   * An error about a setting of our sections, naming the file, the line the setting is on and its dotted
   * path (such as {@code caches.users.expiry}): for the modules that read those sections.
   */
  public ConfigFileException problem(String path, String detail) {
    Integer line = lines.get(path);
    return line == null ? ConfigFileException.of(source, path + ": " + detail, null)
        : ConfigFileException.atLine(source, line, path + ": " + detail);
  }

  /**
   * A duration setting of our sections ({@code 500ms}, {@code 1.5s}, {@code 2m}, {@code 1h},
   * {@code PT0.5S} or whole milliseconds), read as the {@code resilience:} section reads its own.
   *
   * @throws ConfigFileException naming the file, line and path when it is not one
   */
  public Duration duration(String path, @Nullable Object value) {
    try {
      return ResilienceSection.toDuration(value);
    } catch (ResilienceSection.NotA e) {
      throw problem(path, "must be " + ResilienceSection.DURATION + " but was " + value);
    }
  }

  /** What names this file in messages, such as its URI. */
  public String source() {
    return source;
  }

  /**
   * The Redisson part of the file, as a new copy on each call, so a caller may change it (add a
   * resolver, a codec) without touching the next caller's copy. {@code ${VAR}} placeholders were
   * resolved by Redisson when the file was loaded.
   */
  public Config redissonConfig() {
    return new Config(redisson);
  }

  /** The {@code resilience:} section, or the defaults when the file has none. */
  public ResilienceConfig resilience() {
    return resilience;
  }

  /**
   * The {@code serialization:} section as plain, unmodifiable Java values; empty when absent. Its
   * {@code allowedClasses} lists the classes (ObjectInputFilter patterns: {@code com.acme.Order},
   * {@code com.acme.*}, {@code com.acme.**}) a cache may read back besides its declared types and the JDK's
   * value types.
   */
  public Map<String, Object> serialization() {
    return serialization;
  }

  /** The {@code nearCache:} section as plain, unmodifiable Java values; empty when absent. */
  public Map<String, Object> nearCache() {
    return nearCache;
  }

  /** The {@code caches:} section, cache name to its settings, plain and unmodifiable; empty when absent. */
  public Map<String, Map<String, Object>> caches() {
    return caches;
  }

  /** A summary without the Redisson part, which may hold passwords. */
  @Override
  public String toString() {
    return "ConfigFile[" + source + ", " + serverMode + ", resilience=" + resilience + ", nearCache=" + nearCache
        + ", caches=" + caches.keySet() + "]";
  }

  /**
   * {@code yaml} with the lines of our sections emptied (not removed), so the line numbers in Redisson's
   * own errors are the file's.
   */
  private static String withoutOurSections(String yaml, Iterable<NodeTuple> ours, List<NodeTuple> theirs,
      String source) {
    BitSet blank = new BitSet();
    for (NodeTuple tuple : ours) {
      blank.set(firstLine(tuple), lastLine(tuple) + 1);
    }
    for (NodeTuple tuple : theirs) {
      int shared = blank.nextSetBit(firstLine(tuple));
      if (shared >= 0 && shared <= lastLine(tuple)) {
        // Only a flow-style top level ({a: 1, resilience: ...}) puts two top-level keys on one line.
        throw ConfigFileException.at(source, tuple.getKeyNode().getStartMark(), "the top level must be in"
            + " block style, one key per line, so resilience, nearCache and caches can be taken out");
      }
    }
    return YamlText.blank(yaml, blank);
  }

  private static int firstLine(NodeTuple tuple) {
    return tuple.getKeyNode().getStartMark().getLine();
  }

  private static int lastLine(NodeTuple tuple) {
    Node key = tuple.getKeyNode();
    Node value = tuple.getValueNode();
    // An alias (resilience: *defaults) is the anchored node itself, marked where the anchor is, earlier.
    if (value.getStartMark().getIndex() < key.getStartMark().getIndex()) {
      return key.getEndMark().getLine();
    }
    return Math.max(key.getEndMark().getLine(), YamlText.lastLine(value));
  }

  private static Path filePath(URI uri) {
    try {
      return Path.of(uri);
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      throw ConfigFileException.of(uri.toString(), "not a file path (" + e.getMessage() + ")", null);
    }
  }

  /** A {@code jar:file:/app.jar!/config.yaml} URI, as a class loader's resource URL gives (Hibernate does). */
  private static ConfigFile loadJarEntry(URI uri) {
    String source = withoutSecrets(uri);
    byte[] bytes;
    try {
      java.net.URLConnection connection = uri.toURL().openConnection();
      connection.setUseCaches(false); // a cached jar file would stay open, and stale, after the jar changes
      try (InputStream in = connection.getInputStream()) {
        bytes = in.readAllBytes();
      }
    } catch (java.io.FileNotFoundException | NoSuchFileException e) {
      throw ConfigFileException.of(source, "no such jar entry, or no such jar", null);
    } catch (IOException | IllegalArgumentException e) {
      // Only the kind of failure: the JDK's messages for a jar behind a URL repeat the URL, password and all.
      throw ConfigFileException.of(source, "cannot be read (" + e.getClass().getSimpleName() + ")", null);
    }
    return parse(decode(bytes, source), source);
  }

  private static ConfigFile loadResource(URI uri, ClassLoader classLoader) {
    String source = uri.toString();
    String name = uri.getSchemeSpecificPart();
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    byte[] bytes;
    try (InputStream in = classLoader.getResourceAsStream(name)) {
      if (in == null) {
        throw ConfigFileException.of(source, "no such resource on the class path", null);
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw ConfigFileException.of(source, "cannot be read: " + e, e);
    }
    return parse(decode(bytes, source), source);
  }

  private static @Nullable Node keyOf(@Nullable NodeTuple tuple) {
    return tuple == null ? null : tuple.getKeyNode();
  }

  private static @Nullable Node valueOf(@Nullable NodeTuple tuple) {
    return tuple == null ? null : tuple.getValueNode();
  }

  private static String decode(byte[] bytes, String source) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw ConfigFileException.of(source, "is not UTF-8 text", e);
    }
  }

  /** The URI without user info or query, either of which may carry a password. */
  private static String withoutSecrets(URI uri) {
    return UriText.withoutCredentials(uri.toString());
  }
}
