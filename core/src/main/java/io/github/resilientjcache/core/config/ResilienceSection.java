package io.github.resilientjcache.core.config;

import io.github.resilientjcache.core.ResilienceConfig;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code resilience:} section into a {@link ResilienceConfig}. Keys are mapped to builder
 * methods by an explicit table, not by reflection, so a renamed method breaks the build rather than a
 * user's file, and the builder's own checks (and messages) apply to every value.
 */
final class ResilienceSection {

  static final String NAME = "resilience";

  static final String DURATION =
      "a duration such as 500ms, 1.5s, 2m, 1h, PT0.5S or a whole number of milliseconds";
  private static final String WHOLE_NUMBER = "a whole number";
  private static final String NUMBER = "a number";

  private static final Pattern ISO = Pattern.compile("[+-]?[pP]");
  private static final Pattern MILLIS = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern WITH_UNIT = Pattern.compile("([+-]?[0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)");
  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

  /** Setting name to how its value is read and which builder method takes it, in the builder's order. */
  private static final Map<String, Setting<?>> SETTINGS = settings();

  private ResilienceSection() {}

  private static Map<String, Setting<?>> settings() {
    Map<String, Setting<?>> s = new LinkedHashMap<>();
    s.put("probeInterval", duration(ResilienceConfig.Builder::probeInterval));
    s.put("probeTimeout", duration(ResilienceConfig.Builder::probeTimeout));
    s.put("probeFailuresToOpen", whole(ResilienceConfig.Builder::probeFailuresToOpen));
    s.put("dnsCheckInterval", duration(ResilienceConfig.Builder::dnsCheckInterval));
    s.put("failureRateThreshold", new Setting<>(NUMBER, ResilienceSection::toFloat,
        ResilienceConfig.Builder::failureRateThreshold));
    s.put("slidingWindowSize", whole(ResilienceConfig.Builder::slidingWindowSize));
    s.put("minimumNumberOfCalls", whole(ResilienceConfig.Builder::minimumNumberOfCalls));
    s.put("retryMaxAttempts", whole(ResilienceConfig.Builder::retryMaxAttempts));
    s.put("retryInitialInterval", duration(ResilienceConfig.Builder::retryInitialInterval));
    s.put("retryMaxInterval", duration(ResilienceConfig.Builder::retryMaxInterval));
    s.put("rebuildBackoffInitial", duration(ResilienceConfig.Builder::rebuildBackoffInitial));
    s.put("rebuildBackoffMax", duration(ResilienceConfig.Builder::rebuildBackoffMax));
    s.put("verifyTimeout", duration(ResilienceConfig.Builder::verifyTimeout));
    s.put("closeTimeout", duration(ResilienceConfig.Builder::closeTimeout));
    s.put("topologyGracePeriod", duration(ResilienceConfig.Builder::topologyGracePeriod));
    s.put("probeKey", new Setting<>("a key name", ResilienceSection::toText, ResilienceConfig.Builder::probeKey));
    return Collections.unmodifiableMap(s);
  }

  /**
   * The config from the section's value node, or the defaults when the file has no section.
   *
   * @param key the {@code resilience} key node, where errors about the section as a whole point
   */
  static ResilienceConfig read(@Nullable Node key, @Nullable Node value, PlainValues plain, String source) {
    if (key == null || value == null || PlainValues.isNull(value)) {
      return ResilienceConfig.defaults();
    }
    if (!(value instanceof MappingNode mapping)) {
      throw ConfigFileException.at(source, key.getStartMark(), NAME + " must be a mapping");
    }
    ResilienceConfig.Builder builder = ResilienceConfig.builder();
    Map<String, Mark> seen = new HashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      String name = PlainValues.keyName(keyNode, NAME, source);
      Setting<?> setting = SETTINGS.get(name);
      if (setting == null) {
        throw ConfigFileException.at(source, keyNode.getStartMark(), NAME + "." + name
            + " is not a setting; known settings: " + String.join(", ", SETTINGS.keySet()));
      }
      Mark first = seen.putIfAbsent(name, keyNode.getStartMark());
      if (first != null) {
        throw ConfigFileException.at(source, keyNode.getStartMark(),
            NAME + "." + name + " is set twice (first on line " + (first.getLine() + 1) + ")");
      }
      apply(setting, builder, name, tuple.getValueNode(), plain, source);
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      // The builder's cross-checks name the settings involved; point at the first of them in the file.
      String message = String.valueOf(e.getMessage());
      Mark where = key.getStartMark();
      int earliest = Integer.MAX_VALUE;
      for (Map.Entry<String, Mark> s : seen.entrySet()) {
        int at = indexOfWord(message, s.getKey());
        if (at >= 0 && at < earliest) {
          earliest = at;
          where = s.getValue();
        }
      }
      throw ConfigFileException.at(source, where, NAME + "." + message);
    }
  }

  private static <T> void apply(Setting<T> setting, ResilienceConfig.Builder builder, String name, Node value,
      PlainValues plain, String source) {
    T parsed;
    try {
      if (!(value instanceof ScalarNode)) {
        throw new NotA();
      }
      parsed = setting.parse.apply(plain.toJava(value, NAME + "." + name));
    } catch (NotA e) {
      throw ConfigFileException.at(source, value.getStartMark(),
          NAME + "." + name + " must be " + setting.expected + " but was " + PlainValues.describe(value));
    }
    try {
      setting.setter.accept(builder, parsed);
    } catch (IllegalArgumentException e) {
      // The builder names the setting first ("probeTimeout must be positive but was PT0S").
      throw ConfigFileException.at(source, value.getStartMark(), NAME + "." + e.getMessage());
    }
  }

  /**
   * Reads a duration: ISO-8601 ({@code PT0.5S}), a number with a unit ({@code 500ms}, {@code 1.5s},
   * {@code 2m}, {@code 1h}) or a whole number of milliseconds.
   */
  static Duration toDuration(@Nullable Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return Duration.ofMillis(((Number) value).longValue());
    }
    if (!(value instanceof String s)) {
      throw new NotA();
    }
    String text = s.strip();
    try {
      if (MILLIS.matcher(text).matches()) {
        return Duration.ofMillis(Long.parseLong(text));
      }
      if (ISO.matcher(text).lookingAt()) {
        return Duration.parse(text);
      }
      Matcher m = WITH_UNIT.matcher(text);
      if (!m.matches()) {
        throw new NotA();
      }
      BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (m.group(2)) {
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      });
      // Exact, so 1.5s is 1500ms; a value finer than a nanosecond or beyond a Duration is not a duration.
      BigInteger[] secondsAndNanos =
          new BigDecimal(m.group(1)).multiply(nanosPerUnit).toBigIntegerExact().divideAndRemainder(NANOS_PER_SECOND);
      return Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue());
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      // Out of range (more than a long of milliseconds, or of seconds) or a malformed ISO-8601 text.
      throw new NotA();
    }
  }

  private static int toWhole(@Nullable Object value) {
    if (value instanceof Integer i) {
      return i;
    }
    throw new NotA();
  }

  private static String toText(@Nullable Object value) {
    if (value instanceof String text) {
      return text;
    }
    throw new NotA();
  }

  private static float toFloat(@Nullable Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Double) {
      return ((Number) value).floatValue();
    }
    throw new NotA();
  }

  /** Where {@code word} occurs in {@code text} as a whole identifier, or -1. */
  private static int indexOfWord(String text, String word) {
    Matcher m = Pattern.compile("\\b" + Pattern.quote(word) + "\\b").matcher(text);
    return m.find() ? m.start() : -1;
  }

  private static Setting<Duration> duration(BiConsumer<ResilienceConfig.Builder, Duration> setter) {
    return new Setting<>(DURATION, ResilienceSection::toDuration, setter);
  }

  private static Setting<Integer> whole(BiConsumer<ResilienceConfig.Builder, Integer> setter) {
    return new Setting<>(WHOLE_NUMBER, ResilienceSection::toWhole, setter);
  }

  /** How one setting's YAML value becomes a builder call. */
  private record Setting<T>(String expected, Function<@Nullable Object, T> parse,
      BiConsumer<ResilienceConfig.Builder, T> setter) {}

  /** A value of the wrong kind; the caller knows which setting and which line. */
  static final class NotA extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotA() {
      super(null, null, false, false);
    }
  }
}
