package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * A server in a container of its own ({@link RedisBackend#CONTAINERS}): on the host's network, its directory
 * bind-mounted at the same path (so the config file is the one a process would read), run as the owner of
 * that directory. Faults: {@code docker kill}, {@code docker pause} / {@code unpause}.
 */
final class ContainerNodeProcess implements NodeProcess {

  /** Every container this testkit starts carries it; a leftover can be found with {@code --filter label=}. */
  static final String LABEL = "io.github.resilientjcache.testkit";

  private static final Map<String, ServerContainer> LIVE = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.values().forEach(GenericContainer::stop),
        "testkit-container-reaper"));
  }

  private static final class ServerContainer extends GenericContainer<ServerContainer> {
    ServerContainer(DockerImageName image) {
      super(image);
    }
  }

  private final ServerContainer container;
  private final String name;

  private ContainerNodeProcess(ServerContainer container, String name) {
    this.container = container;
    this.name = name;
  }

  static ContainerNodeProcess start(String name, Path dir, List<String> args, Path log) throws IOException {
    requireDocker();
    List<String> command = new ArrayList<>();
    command.add("redis-server");
    command.addAll(args);
    String user = Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
    ServerContainer c = new ServerContainer(DockerImageName.parse(RedisBackend.image()))
        .withNetworkMode("host")
        .withFileSystemBind(dir.toString(), dir.toString(), BindMode.READ_WRITE)
        .withWorkingDirectory(dir.toString())
        .withCreateContainerCmdModifier(cmd -> cmd.withUser(user))
        .withLabel(LABEL, name)
        .withCommand(command.toArray(String[]::new))
        .withLogConsumer(frame -> append(log, frame))
        .waitingFor(new AbstractWaitStrategy() { // RedisNode waits for PING itself
          @Override
          protected void waitUntilReady() {}
        });
    try {
      c.start();
    } catch (RuntimeException e) {
      throw new RedisStartException(name + ": the container of " + RedisBackend.image() + " did not start: " + e,
          Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "");
    }
    LIVE.put(c.getContainerId(), c);
    return new ContainerNodeProcess(c, name);
  }

  /** No engine: a failure in CI, where the set-up script must have started one; elsewhere the test is skipped. */
  private static void requireDocker() {
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return;
    }
    String why = "the containers backend (RJC_TESTKIT_BACKEND=containers) needs Docker or podman's API, and"
        + " none answers (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "; on podman, see docs/testing.md)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(why);
    }
    throw new TestAbortedException(why);
  }

  private static synchronized void append(Path log, OutputFrame frame) {
    String text = frame.getUtf8String();
    if (text.isEmpty()) {
      return;
    }
    try {
      Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is for diagnosis only
    }
  }

  @Override
  public boolean isAlive() {
    return container.isRunning();
  }

  @Override
  public long pid() {
    Long pid = container.getCurrentContainerInfo().getState().getPidLong();
    if (pid == null || pid == 0) {
      throw new IllegalStateException(name + " is not running");
    }
    return pid;
  }

  @Override
  public void kill() {
    LIVE.remove(container.getContainerId());
    container.stop(); // docker kill (SIGKILL), then remove
  }

  @Override
  public void pause() {
    container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public void resume() {
    container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
  }

  @Override
  public String exitDescription() {
    try {
      Long code = container.getCurrentContainerInfo().getState().getExitCodeLong();
      return "container exit code " + code;
    } catch (RuntimeException e) {
      return "container gone (" + e.getMessage() + ")";
    }
  }
}
