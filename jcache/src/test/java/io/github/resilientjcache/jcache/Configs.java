package io.github.resilientjcache.jcache;

import io.github.resilientjcache.testkit.PrimaryEndpointRedis;
import io.github.resilientjcache.testkit.RedisConfigs;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;

/** What the provider's tests share: the provider by name, config files as an application writes them. */
final class Configs {

  private Configs() {}

  static CachingProvider provider() {
    return Caching.getCachingProvider(ResilientCachingProvider.NAME);
  }

  /** The server section of a config file for {@code redis}. */
  static String server(StandaloneRedis redis) {
    return """
        singleServerConfig:
          address: "%s"
          timeout: 1000
        """.formatted(redis.uri());
  }

  /**
   * A manager of its own on {@code redis}'s primary endpoint: the Redisson part from code (the testkit's DNS
   * name), the rest from {@code yaml} in {@code <name>.yaml}, whose own address is then not used.
   */
  static javax.cache.CacheManager primaryEndpointManager(PrimaryEndpointRedis redis, Path dir, String name,
      String yaml) throws IOException {
    java.util.Properties props = new java.util.Properties();
    props.put(ResilientCachingProvider.REDISSON_CONFIG_PROPERTY, RedisConfigs.primaryEndpoint(redis));
    return provider().getCacheManager(file(dir, name, yaml), Configs.class.getClassLoader(), props);
  }

  /** A config file {@code <name>.yaml} in {@code dir} holding {@code yaml}, by its URI. */
  static URI file(Path dir, String name, String yaml) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml);
    return file.toUri();
  }

  /** The near cache of {@code cache}, which must have one. */
  static io.github.resilientjcache.core.near.NearCache<?> near(javax.cache.Cache<?, ?> cache) {
    ResilientCache<?, ?> r = cache.unwrap(ResilientCache.class);
    return r.nearCache().orElseThrow(() -> new AssertionError(cache.getName() + " has no near cache"));
  }

  /** Whether the near cache of {@code cache} holds an entry for {@code key} (a String key is its own near key). */
  @SuppressWarnings("unchecked")
  static boolean nearHolds(javax.cache.Cache<?, ?> cache, String key) {
    return ((io.github.resilientjcache.core.near.NearCache<Object>) near(cache)).holds(key);
  }

  static MutableConfiguration<String, String> strings() {
    return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
  }
}
