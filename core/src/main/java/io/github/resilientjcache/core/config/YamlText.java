package io.github.resilientjcache.core.config;

import java.io.StringReader;
import java.util.BitSet;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The file's text as lines: composes it into a node tree that keeps every line number, and empties
 * chosen lines, so the Redisson part can be parsed on its own and still report the file's own lines.
 */
final class YamlText {

  private YamlText() {}

  /**
   * The node tree of {@code text}, or null when it holds no document. No objects are built, so any tag is
   * allowed here (the Redisson part names codec classes with global tags such as
   * {@code !<org.redisson.client.codec.StringCodec>}); whether a tag may be used is decided later by
   * whoever constructs the value.
   */
  static @Nullable Node compose(String text, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setTagInspector(tag -> true);
    try {
      return new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw malformed(source, e, "");
    } catch (YAMLException e) {
      // Unmarked failures are limits (size, nesting); their messages carry no file text.
      throw ConfigFileException.of(source, "not readable as YAML: " + e.getMessage(), null);
    }
  }

  /**
   * A syntax error, without snakeyaml's own message: that quotes the offending line, which may hold a
   * password. The problem and context strings are snakeyaml's fixed phrases, and the exception is not
   * kept as the cause, so a logged stack trace cannot leak the line either.
   *
   * @param where appended to the message, to say which text was malformed
   */
  static ConfigFileException malformed(String source, MarkedYAMLException e, String where) {
    StringBuilder detail = new StringBuilder("malformed YAML: ");
    Mark contextMark = e.getContextMark();
    if (e.getContext() != null) {
      detail.append(e.getContext());
      if (contextMark != null) {
        detail.append(" from line ").append(contextMark.getLine() + 1);
      }
      detail.append(", ");
    }
    detail.append(e.getProblem());
    return ConfigFileException.at(source, e.getProblemMark() != null ? e.getProblemMark() : contextMark,
        detail.append(where).toString());
  }

  /**
   * The 0-based line of the last character of {@code node}. A block collection or a block scalar ends
   * at the start of the next line (column 0), which belongs to whatever follows.
   */
  static int lastLine(Node node) {
    Mark start = node.getStartMark();
    Mark end = node.getEndMark();
    return end.getColumn() == 0 && end.getLine() > start.getLine() ? end.getLine() - 1 : end.getLine();
  }

  /**
   * {@code text} with the content of each line in {@code lines} removed and every line break kept, so
   * what remains sits on the same line numbers as before.
   */
  static String blank(String text, BitSet lines) {
    StringBuilder out = new StringBuilder(text.length());
    int line = 0;
    int i = 0;
    while (i < text.length()) {
      int breakAt = i;
      while (breakAt < text.length() && !isLineBreak(text, breakAt)) {
        breakAt++;
      }
      int next = breakAt < text.length() ? breakAt + 1 : breakAt;
      int contentEnd = breakAt > i && text.charAt(breakAt - 1) == '\r' ? breakAt - 1 : breakAt;
      out.append(text, lines.get(line) ? contentEnd : i, next);
      line++;
      i = next;
    }
    return out.toString();
  }

  /**
   * Whether the char at {@code i} ends a line, by snakeyaml's rule (its StreamReader): LF, NEL, LS, PS,
   * or a CR not followed by LF; so CRLF ends a line once, at the LF, and both chars stay in place.
   */
  private static boolean isLineBreak(String text, int i) {
    char c = text.charAt(i);
    return switch (c) {
      case '\n', '\u0085', '\u2028', '\u2029' -> true;
      case '\r' -> i + 1 == text.length() || text.charAt(i + 1) != '\n';
      default -> false;
    };
  }
}
