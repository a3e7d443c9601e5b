package io.github.resilientjcache.core.config;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.Mark;

/**
 * A config file that cannot be used. The message names the file, the line (1-based) and the key, so the
 * user can fix it without a debugger; it never quotes a value from the Redisson part, which may be a
 * password.
 */
public final class ConfigFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ConfigFileException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** A problem at {@code mark} (a snakeyaml mark, 0-based) in {@code source}; no line when null. */
  static ConfigFileException at(String source, @Nullable Mark mark, String detail) {
    return new ConfigFileException(prefix(source, mark == null ? -1 : mark.getLine()) + detail, null);
  }

  /** A problem on a line (0-based) of {@code source}. */
  static ConfigFileException atLine(String source, int zeroBasedLine, String detail) {
    return new ConfigFileException(prefix(source, zeroBasedLine) + detail, null);
  }

  /** A problem with the file as a whole, such as a read failure. */
  static ConfigFileException of(String source, String detail, @Nullable Throwable cause) {
    return new ConfigFileException(prefix(source, -1) + detail, cause);
  }

  private static String prefix(String source, int zeroBasedLine) {
    return "resilient-jcache config " + source + (zeroBasedLine < 0 ? "" : ", line " + (zeroBasedLine + 1)) + ": ";
  }
}
