package io.github.resilientjcache.testkit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** What a fixture needs beyond the defaults: a password, a fault-injecting proxy in front of each node. */
public final class RedisOptions {

  private static final RedisOptions DEFAULTS = new RedisOptions(null, false);

  private final @Nullable String password;
  private final boolean proxied;

  private RedisOptions(@Nullable String password, boolean proxied) {
    this.password = password;
    this.proxied = proxied;
  }

  public static RedisOptions defaults() {
    return DEFAULTS;
  }

  /** Nodes require this password ({@code requirepass}, and {@code masterauth} between them). */
  public RedisOptions password(String password) {
    Objects.requireNonNull(password, "password");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty");
    }
    return new RedisOptions(password, proxied);
  }

  /** Puts a {@link TcpProxy} in front of each data node; clients reach the nodes only through it. */
  public RedisOptions proxied() {
    return new RedisOptions(password, true);
  }

  public @Nullable String password() {
    return password;
  }

  public boolean isProxied() {
    return proxied;
  }

  @Override
  public String toString() {
    return "RedisOptions[password=" + (password == null ? "none" : "****") + ", proxied=" + proxied + "]";
  }
}
