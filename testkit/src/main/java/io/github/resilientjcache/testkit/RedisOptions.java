package io.github.resilientjcache.testkit;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a fixture needs beyond the defaults: a password, an ACL user, a fault-injecting proxy in front of
 * each node.
 */
public final class RedisOptions {

  private static final RedisOptions DEFAULTS = new RedisOptions(null, false, null);

  private final @Nullable String password;
  private final boolean proxied;
  private final @Nullable AclUser user;

  /**
   * An ACL user the nodes know besides {@code default}, as {@code user <name> on ><password> <rules>}.
   *
   * @param rules key patterns and command rules, such as {@code ~rjc:* +@all -@dangerous}
   */
  public record AclUser(String name, String password, String rules) {
    public AclUser {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(rules, "rules");
    }

    @Override
    public String toString() {
      return "AclUser[" + name + ", " + rules + "]";
    }
  }

  private RedisOptions(@Nullable String password, boolean proxied, @Nullable AclUser user) {
    this.password = password;
    this.proxied = proxied;
    this.user = user;
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
    return new RedisOptions(password, proxied, user);
  }

  /** The nodes also know this ACL user (the {@code default} user stays as it is, for the fixture itself). */
  public RedisOptions user(String name, String password, String rules) {
    return new RedisOptions(this.password, proxied, new AclUser(name, password, rules));
  }

  /** Puts a {@link TcpProxy} in front of each data node; clients reach the nodes only through it. */
  public RedisOptions proxied() {
    return new RedisOptions(password, true, user);
  }

  public @Nullable AclUser user() {
    return user;
  }

  public @Nullable String password() {
    return password;
  }

  public boolean isProxied() {
    return proxied;
  }

  @Override
  public String toString() {
    return "RedisOptions[password=" + (password == null ? "none" : "****") + ", proxied=" + proxied
        + (user == null ? "" : ", " + user) + "]";
  }
}
