package io.github.resilientjcache.core.config;

/**
 * A URI or address as it may appear in a message, a log line, a thread name or an MBean name: without
 * the user info that may hold a password, and without query or fragment, which may too. The one place
 * that decides this, for every module.
 */
public final class UriText {

  private UriText() {}

  /**
   * {@code redis://user:secret@host:6379/0?x} becomes {@code redis://host:6379/0}; a {@code jar:} URI has its
   * inner URI cleaned the same way. Everything up to the last {@code @} after {@code ://} is dropped, so a
   * password holding an {@code @} or a {@code /} is dropped with it.
   */
  public static String withoutCredentials(String uri) {
    if (uri.regionMatches(true, 0, "jar:", 0, 4)) {
      int bang = uri.indexOf("!/");
      return bang < 0 ? "jar:" + withoutCredentials(uri.substring(4))
          : "jar:" + withoutCredentials(uri.substring(4, bang)) + withoutQuery(uri.substring(bang));
    }
    String s = withoutQuery(uri);
    int scheme = s.indexOf("://");
    int at = s.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return s;
    }
    return s.substring(0, scheme + 3) + s.substring(at + 1);
  }

  private static String withoutQuery(String s) {
    int q = s.indexOf('?');
    int f = s.indexOf('#');
    int end = q < 0 ? f : f < 0 ? q : Math.min(q, f);
    return end < 0 ? s : s.substring(0, end);
  }
}
