package io.github.resilientjcache.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.connection.AddressResolverGroupFactory;

/**
 * A tiny authoritative DNS server on loopback, so a test can flip a name from one node to another the
 * way a managed service flips its primary endpoint.
 *
 * <p>Redisson reaches it through {@link #addressResolverGroupFactory()}: the same Netty DNS resolver, with
 * its TTL-honouring cache, that Redisson uses in production, only asking this server instead of the
 * ones in {@code /etc/resolv.conf}. So a test exercises real DNS queries, real TTLs and real caching.
 */
public final class LoopbackDns implements AutoCloseable {

  private final Map<String, InetAddress> records = new ConcurrentHashMap<>();
  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong unanswered = new AtomicLong();
  private volatile long ttlSeconds;
  private volatile boolean silent;

  private LoopbackDns(Duration ttl) {
    this.ttlSeconds = Math.max(0, ttl.toSeconds());
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      this.channel = new Bootstrap()
          .group(group)
          .channel(NioDatagramChannel.class)
          .handler(new io.netty.channel.ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
              ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
            }
          })
          .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .syncUninterruptibly()
          .channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Starts a server whose answers carry a 1 s TTL. */
  public static LoopbackDns start() {
    return start(Duration.ofSeconds(1));
  }

  public static LoopbackDns start(Duration ttl) {
    return new LoopbackDns(ttl);
  }

  /** Points {@code name} at {@code address} from the next query on. */
  public void set(String name, InetAddress address) {
    records.put(normalise(name), address);
  }

  public void set(String name, String address) {
    try {
      set(name, InetAddress.getByName(address));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + address, e);
    }
  }

  /** Makes {@code name} unknown (NXDOMAIN). */
  public void remove(String name) {
    records.remove(normalise(name));
  }

  public void ttl(Duration ttl) {
    ttlSeconds = Math.max(0, ttl.toSeconds());
  }

  /**
   * While {@code silent}, queries are read and dropped: DNS unreachable, as when a resolver's security
   * group or network ACL blocks it. Clients see their lookups time out.
   */
  public void silence(boolean silent) {
    this.silent = silent;
  }

  /** How many queries arrived while {@link #silence silent}, unanswered. */
  public long unansweredQueries() {
    return unanswered.get();
  }

  /** How many queries this server answered: proves a client asked again instead of caching. */
  public long queries() {
    return queries.get();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The name servers to ask, as Netty takes them. */
  public DnsServerAddressStreamProvider nameServers() {
    return new SingletonDnsServerAddressStreamProvider(address());
  }

  /** For {@code Config.setAddressResolverGroupFactory}: Netty's DNS resolver, asking this server. */
  public AddressResolverGroupFactory addressResolverGroupFactory() {
    return new Factory(address());
  }

  /** Resolves {@code name} with a fresh, cache-less resolver, as a newly built client would. */
  public InetAddress resolve(String name) {
    DnsNameResolver resolver = builder(address(), NioDatagramChannel.class, NioSocketChannel.class)
        .eventLoop(group.next())
        .resolveCache(NoopDnsCache.INSTANCE)
        .build();
    try {
      return resolver.resolve(name).syncUninterruptibly().getNow();
    } finally {
      resolver.close();
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private static String normalise(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  static DnsNameResolverBuilder builder(InetSocketAddress server, Class<? extends DatagramChannel> datagram,
      Class<? extends SocketChannel> socket) {
    return new DnsNameResolverBuilder()
        .datagramChannelType(datagram)
        .socketChannelType(socket, true)
        .nameServerProvider(new SingletonDnsServerAddressStreamProvider(server))
        .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
        .searchDomains(List.of())
        .queryTimeoutMillis(1_000)
        .maxQueriesPerResolve(2);
  }

  /** Redisson's hook: the resolver it would build for itself, pointed at this server. */
  private static final class Factory implements AddressResolverGroupFactory {
    private final InetSocketAddress server;

    Factory(InetSocketAddress server) {
      this.server = server;
    }

    @Override
    public AddressResolverGroup<InetSocketAddress> create(Class<? extends DatagramChannel> channelType,
        Class<? extends SocketChannel> socketChannelType, DnsServerAddressStreamProvider ignored) {
      return new DnsAddressResolverGroup(builder(server, channelType, socketChannelType)
          .resolveCache(new DefaultDnsCache())
          .cnameCache(new DefaultDnsCnameCache()));
    }

    @Override
    public String toString() {
      return "LoopbackDns@" + server;
    }
  }

  /** Answers A queries for known names, NOERROR with no answer for other types, NXDOMAIN otherwise. */
  private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      if (silent) {
        unanswered.incrementAndGet();
        return;
      }
      queries.incrementAndGet();
      DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.setAuthoritativeAnswer(true);
      response.setRecursionDesired(query.isRecursionDesired());
      response.setRecursionAvailable(true);
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      if (question == null) {
        response.setCode(DnsResponseCode.FORMERR);
        ctx.writeAndFlush(response);
        return;
      }
      response.addRecord(DnsSection.QUESTION, question);
      InetAddress address = records.get(normalise(question.name()));
      if (address == null) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else if (question.type() == DnsRecordType.A && address.getAddress().length == 4) {
        response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A,
            ttlSeconds, Unpooled.wrappedBuffer(address.getAddress())));
      }
      ctx.writeAndFlush(response);
    }
  }
}
