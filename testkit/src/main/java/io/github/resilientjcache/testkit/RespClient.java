package io.github.resilientjcache.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal blocking RESP2 client with hard timeouts, so that fixtures and fault checks do not depend on
 * the client under test (a frozen node must make this time out, not hang the test).
 */
public final class RespClient implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String endpoint;

  private RespClient(Socket socket, String endpoint) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
    this.endpoint = endpoint;
  }

  /** Connects with the given timeout for the connect and for every reply. */
  public static RespClient connect(String host, int port, Duration timeout) {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      return new RespClient(socket, host + ":" + port);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
    }
  }

  /** Connects, runs one command and closes: for probes and setup. */
  public static @Nullable Object call(String host, int port, Duration timeout, String... command) {
    try (RespClient c = connect(host, port, timeout)) {
      return c.send(command);
    }
  }

  /**
   * Sends one command and reads its reply: a {@code String} (simple or bulk), a {@code Long}, a {@code
   * List<Object>}, or null. An error reply throws {@link RedisErrorReply}.
   */
  public @Nullable Object send(String... command) {
    try {
      out.write(('*' + Integer.toString(command.length) + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String arg : command) {
        byte[] b = arg.getBytes(StandardCharsets.UTF_8);
        out.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException(command[0] + " to " + endpoint + " failed", e);
    }
  }

  /** Like {@link #send} but for commands whose reply is text. */
  public String sendForText(String... command) {
    Object reply = send(command);
    return reply == null ? "" : reply.toString();
  }

  private @Nullable Object read() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("connection closed by " + endpoint);
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new RedisErrorReply(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int len = Integer.parseInt(line);
        if (len < 0) {
          return null;
        }
        byte[] data = in.readNBytes(len);
        if (data.length < len) {
          throw new EOFException("connection closed by " + endpoint);
        }
        readLine();
        return new String(data, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<@Nullable Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read());
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type '" + (char) type + "' from " + endpoint);
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by " + endpoint);
      }
      if (prev == '\r' && c == '\n') {
        byte[] b = buf.toByteArray();
        return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
      }
      buf.write(c);
      prev = c;
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** An error reply from Redis, such as {@code READONLY ...} or {@code NOAUTH ...}. */
  public static final class RedisErrorReply extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisErrorReply(String message) {
      super(message);
    }
  }
}
