package io.github.resilientjcache.core.internal;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/** How the supervisor names failures and nodes in messages and logs: short, and never a credential. */
final class Describe {

  private Describe() {}

  /** {@code ip:port}, or {@code host:port} when unresolved. */
  static String hostPort(InetSocketAddress a) {
    return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
  }

  static String describe(FailureClassifier.Kind kind, Throwable e) {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " (" + describe(e) + ")";
  }

  /** The root cause of an exception chain, with its type: what actually went wrong. */
  static String describe(@Nullable Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    Throwable root = e;
    for (int i = 0; i < 16 && root.getCause() != null && root.getCause() != root; i++) {
      root = root.getCause();
    }
    String m = root.getMessage();
    if (m != null) {
      // Redisson's timeout messages run to several hundred characters of advice and command dumps.
      for (String cut : new String[] {" Check connection", ", command:", " channel: [", ". Increase", " Try to increase",
          " Check CPU usage", "Increase connection pool"}) {
        int i = m.indexOf(cut);
        if (i > 0) {
          m = m.substring(0, i);
        }
      }
      if (m.length() > 200) {
        m = m.substring(0, 200) + "...";
      }
    }
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

}
