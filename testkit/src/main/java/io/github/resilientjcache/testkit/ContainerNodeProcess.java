package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
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

  /** Every container this testkit starts carries it (the server's name); {@link #OWNER} names the JVM. */
  static final String LABEL = "io.github.resilientjcache.testkit";
  /** The pid of the JVM that started the container: podman-setup removes those whose JVM is gone. */
  static final String OWNER = LABEL + ".owner";

  private static final class ServerContainer extends GenericContainer<ServerContainer> {
    ServerContainer(DockerImageName image) {
      super(image);
    }
  }

  private final ServerContainer container;
  private final String name;
  /** Kept: Testcontainers forgets it once the container is stopped. */
  private final String id;

  private ContainerNodeProcess(ServerContainer container, String name) {
    this.container = container;
    this.name = name;
    this.id = container.getContainerId();
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
        .withLabel(OWNER, Long.toString(ProcessHandle.current().pid()))
        .withCommand(command.toArray(String[]::new))
        .withLogConsumer(frame -> append(log, frame))
        .waitingFor(new AbstractWaitStrategy() { // RedisNode waits for PING itself
          @Override
          protected void waitUntilReady() {}
        });
    // Testcontainers stops what it started when the JVM exits (with Ryuk disabled, in a shutdown hook of its
    // own); the owner label lets podman-setup remove what a killed JVM left.
    try {
      c.start();
    } catch (RuntimeException e) {
      String logs;
      try {
        logs = c.getLogs();
      } catch (RuntimeException gone) {
        logs = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      }
      throw new RedisStartException(name + ": the container of " + RedisBackend.image() + " did not start: " + e,
          logs);
    }
    return new ContainerNodeProcess(c, name);
  }

  /** No engine: a failure in CI, where the set-up script must have started one; elsewhere the test is skipped. */
  static void requireDocker() {
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

  /** Running, or paused (podman reports a paused container as not running). */
  @Override
  public boolean isAlive() {
    try {
      InspectContainerResponse.ContainerState state = inspect().getState();
      return Boolean.TRUE.equals(state.getRunning()) || Boolean.TRUE.equals(state.getPaused());
    } catch (NotFoundException e) {
      return false;
    }
  }

  @Override
  public long pid() {
    Long pid = inspect().getState().getPidLong();
    if (pid == null || pid == 0) {
      throw new IllegalStateException(name + " is not running");
    }
    return pid;
  }

  @Override
  public void kill() {
    DockerClient docker = container.getDockerClient();
    try {
      if (Boolean.TRUE.equals(inspect().getState().getPaused())) {
        docker.unpauseContainerCmd(id).exec(); // a paused container takes no signal (as a frozen process would)
      }
      docker.killContainerCmd(id).exec();
    } catch (NotFoundException | ConflictException e) {
      // gone, or not running: removed below all the same
    }
    container.stop(); // removes it
    try {
      inspect();
      throw new IllegalStateException(name + ": container " + id + " is still there after docker kill and rm");
    } catch (NotFoundException e) {
      // gone, with its process
    }
  }

  private InspectContainerResponse inspect() {
    return container.getDockerClient().inspectContainerCmd(id).exec();
  }

  @Override
  public void pause() {
    container.getDockerClient().pauseContainerCmd(id).exec();
  }

  @Override
  public void resume() {
    container.getDockerClient().unpauseContainerCmd(id).exec();
  }

  @Override
  public String exitDescription() {
    try {
      return "container exit code " + inspect().getState().getExitCodeLong();
    } catch (RuntimeException e) {
      return "container gone (" + e.getMessage() + ")";
    }
  }
}
