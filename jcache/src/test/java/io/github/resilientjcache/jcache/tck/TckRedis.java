package io.github.resilientjcache.jcache.tck;

import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.ClusterRedis;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts real redis-servers for the JSR-107 TCK, whose tests are JUnit 4 classes in a jar and get their
 * cache manager from {@code Caching.getCachingProvider().getCacheManager()}: with no URI, our provider
 * reads {@value ResilientCachingProvider#CONFIG_PROPERTY}, which points at a config file for those servers.
 * The system property {@value #TOPOLOGY_PROPERTY} says which: {@code standalone} (the default) or
 * {@code cluster} (3 primaries, each with a replica). Registered only on the TCK executions' class path.
 */
public final class TckRedis implements LauncherSessionListener {

  static final String TOPOLOGY_PROPERTY = "resilientjcache.tck.topology";
  /** {@code true}: every cache of the run has a near cache. */
  static final String NEAR_CACHE_PROPERTY = "resilientjcache.tck.nearCache";
  /** The TCK's own classes, listed as an application lists its value classes. */
  private static final String SERIALIZATION = """
      serialization:
        allowedClasses: ["org.jsr107.tck.**", "domain.*"]
      """;

  private @Nullable RedisTopology redis;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String topology = System.getProperty(TOPOLOGY_PROPERTY, "standalone");
    String yaml;
    switch (topology) {
      case "standalone" -> {
        StandaloneRedis r = RedisTopology.standalone();
        redis = r;
        yaml = """
            singleServerConfig:
              address: "%s"
              timeout: 2000
              retryAttempts: 1
            """.formatted(r.uri());
      }
      case "cluster" -> {
        ClusterRedis r = RedisTopology.cluster();
        redis = r;
        r.awaitHealthy(Duration.ofSeconds(30));
        yaml = """
            clusterServersConfig:
              nodeAddresses: [%s]
              scanInterval: 1000
              timeout: 2000
              retryAttempts: 1
            """.formatted(r.seedUris().stream().map(u -> '"' + u + '"').collect(Collectors.joining(", ")));
      }
      default -> throw new IllegalArgumentException(TOPOLOGY_PROPERTY + " must be standalone or cluster but was "
          + topology);
    }
    try {
      Path config = Files.createTempFile("rjc-tck-" + topology + "-", ".yaml");
      if (Boolean.getBoolean(NEAR_CACHE_PROPERTY)) {
        yaml += """
            nearCache:
              enabled: true
            """;
      }
      Files.writeString(config, yaml + SERIALIZATION);
      config.toFile().deleteOnExit();
      System.setProperty(ResilientCachingProvider.CONFIG_PROPERTY, config.toString());
    } catch (IOException e) {
      launcherSessionClosed(session);
      throw new UncheckedIOException("cannot write the TCK's config file", e);
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    RedisTopology r = redis;
    redis = null;
    if (r != null) {
      r.close();
    }
  }
}
