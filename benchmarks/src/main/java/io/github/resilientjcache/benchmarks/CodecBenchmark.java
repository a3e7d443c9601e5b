package io.github.resilientjcache.benchmarks;

import io.github.resilientjcache.jcache.store.ValueCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;
import org.redisson.client.handler.State;
import org.redisson.codec.Kryo5Codec;

/**
 * Our value codec (Java serialization read back through an allow-list filter) against Redisson's default,
 * Kryo 5, on a typical cached object: encode and decode time, and the encoded size (printed at setup).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar CodecBenchmark
 * </pre>
 */
@org.openjdk.jmh.annotations.State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

  /** An order with a few lines: what a JPA entity or a DTO in a cache looks like. */
  public static final class Order implements Serializable {
    private static final long serialVersionUID = 1L;
    long id;
    String customer;
    Instant created;
    BigDecimal total;
    List<String> lines;

    public Order() {}

    static Order sample() {
      Order o = new Order();
      o.id = 4_711L;
      o.customer = "ACME Corporation, Purchasing";
      o.created = Instant.parse("2026-12-02T10:15:30Z");
      o.total = new BigDecimal("1234.56");
      o.lines = new ArrayList<>(List.of("2 x widget, blue", "1 x gadget", "5 x sprocket, 12 mm"));
      return o;
    }
  }

  @Param({"resilient-jcache", "kryo5"})
  public String codec;

  private ValueCodec ours;
  private Kryo5Codec kryo;
  private Order order;
  private byte[] encoded;

  @Setup(Level.Trial)
  public void start() throws IOException {
    order = Order.sample();
    ours = new ValueCodec("bench", CodecBenchmark.class.getClassLoader(), Set.of(Order.class), List.of(), 1 << 20);
    kryo = new Kryo5Codec(CodecBenchmark.class.getClassLoader());
    encoded = encode();
    System.out.printf("%n[codec] %s encodes the order in %d bytes%n", codec, encoded.length);
  }

  @Benchmark
  public byte[] encode() throws IOException {
    if (codec.equals("kryo5")) {
      ByteBuf buf = kryo.getValueEncoder().encode(order);
      try {
        return ByteBufUtil.getBytes(buf);
      } finally {
        buf.release();
      }
    }
    return ours.encodeValue(order);
  }

  @Benchmark
  public Object decode() throws IOException {
    if (codec.equals("kryo5")) {
      return kryo.getValueDecoder().decode(Unpooled.wrappedBuffer(encoded), new State());
    }
    return ours.decodeValue(encoded);
  }
}
