package io.github.resilientjcache.jcache.tck;

import io.github.resilientjcache.jcache.ResilientCachingProvider;
import io.github.resilientjcache.testkit.RedisTopology;
import io.github.resilientjcache.testkit.StandaloneRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts a real redis-server for the JSR-107 TCK, whose tests are JUnit 4 classes in a jar and get their
 * cache manager from {@code Caching.getCachingProvider().getCacheManager()}: with no URI, our provider
 * reads {@value ResilientCachingProvider#CONFIG_PROPERTY}, which points at a config file for that server.
 * Registered only on the TCK execution's class path.
 */
public final class TckRedis implements LauncherSessionListener {

  private @Nullable StandaloneRedis redis;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    StandaloneRedis r = RedisTopology.standalone();
    redis = r;
    try {
      Path config = Files.createTempFile("rjc-tck-", ".yaml");
      Files.writeString(config, """
          singleServerConfig:
            address: "%s"
            timeout: 2000
            retryAttempts: 1
          serialization:
            allowedClasses: ["org.jsr107.tck.**", "domain.*"]   # the TCK's classes, as an application lists its own
          """.formatted(r.uri()));
      config.toFile().deleteOnExit();
      System.setProperty(ResilientCachingProvider.CONFIG_PROPERTY, config.toString());
    } catch (IOException e) {
      r.close();
      throw new UncheckedIOException("cannot write the TCK's config file", e);
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    StandaloneRedis r = redis;
    if (r != null) {
      r.close();
    }
  }
}
