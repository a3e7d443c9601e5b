package io.github.resilientjcache.testkit;

import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the logs of the Redis servers a test used when it fails. Registered for every test through
 * {@code META-INF/services} (JUnit's extension auto-detection, switched on in the parent POM).
 */
public final class RedisLogsOnFailure implements BeforeEachCallback, TestWatcher {

  @Override
  public void beforeEach(ExtensionContext context) {
    ServerLogs.reset();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    String logs = ServerLogs.dump();
    if (!logs.isEmpty()) {
      System.out.println("---- redis-server logs for failed test " + context.getDisplayName() + " ----\n" + logs);
    }
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    ServerLogs.reset();
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    ServerLogs.reset();
  }
}
