package io.kezdesu.relay;

import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.allocation.AllocationManager;
import io.kezdesu.relay.allocation.UdpSockets;
import io.kezdesu.relay.auth.NonceService;
import io.kezdesu.relay.auth.TurnAuthenticator;
import io.kezdesu.relay.auth.SourceRateLimiter;
import io.kezdesu.relay.policy.AddressMapper;
import io.kezdesu.relay.policy.PeerAddressPolicy;
import io.kezdesu.relay.policy.QuotaPolicy;
import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.ratelimit.KeyedLimit;
import io.kezdesu.relay.server.StreamClients;
import io.kezdesu.relay.server.Drain;
import io.kezdesu.relay.server.StreamInitializer;
import io.kezdesu.relay.server.TurnServices;
import io.kezdesu.relay.server.UdpServerHandler;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STUN/TURN server (RFC 8489, RFC 8656): UDP and TCP listeners on {@code listening-port}, TLS on
 * {@code tls-listening-port} when a certificate is configured, one relayed UDP socket per allocation. Netty epoll
 * where available (with one SO_REUSEPORT UDP socket per event loop), NIO otherwise.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    /**
     * 401 challenges per source address: a burst of this many, then this many per second. Every new allocation
     * starts with a 401, and a corporate NAT puts hundreds of browsers (three TURN URLs each) behind one address, so
     * the limit must not throttle a room's worth of joins; at 100 challenges of at most 72 bytes a second, a spoofed
     * victim receives 7 KB/s.
     */
    private static final int PORT_ZERO_ATTEMPTS = 20;

    private final EventLoopGroup group;
    private final AllocationManager allocations;
    private final List<Channel> channels = new ArrayList<>();
    private final List<InetSocketAddress> udp = new ArrayList<>();
    private final List<InetSocketAddress> tcp = new ArrayList<>();
    private final List<InetSocketAddress> tls = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final StreamInitializer streams;

    private final io.kezdesu.common.tls.TlsReloader<SslContext> certificate;

    private final Drain drain;

    private RelayServer(EventLoopGroup group, AllocationManager allocations, StreamInitializer streams,
                        io.kezdesu.common.tls.TlsReloader<SslContext> certificate, Drain drain) {
        this.certificate = certificate;
        this.drain = drain;
        this.group = group;
        this.allocations = allocations;
        this.streams = streams;
    }

    /**
     * Takes over a connection that another listener in this process accepted and recognised as TURN (the HTTPS
     * listener, when TURN over TLS shares its port): it is served as this relay's TCP or TLS clients are.
     */
    /**
     * Picks up a renewed certificate for TURN over TLS (new connections get it): when its files changed, or always
     * with {@code force}. Returns whether a new one is in use; a renewal that cannot be read keeps the old one.
     */
    public boolean reloadCertificate(boolean force) {
        return certificate != null && certificate.reload(force);
    }

    public void adoptStream(Channel channel, boolean tls, ConnectionBudget.Place place) {
        streams.adopt(channel, tls, place);
    }

    /** Binds every listener (blocking the caller until bound) and returns the running server. */
    public static RelayServer start(RelayConfig config) {
        return start(config, ConnectionBudget.of(config.maxConnections()));
    }

    /**
     * As {@link #start(RelayConfig)}, counting TCP/TLS connections against {@code budget}, which signaling in the
     * same process shares (the open-file limit is the process's).
     */
    public static RelayServer start(RelayConfig config, ConnectionBudget budget) {
        // Read the PEM files before starting any thread, so a bad certificate fails fast and leaks nothing.
        io.kezdesu.common.tls.TlsReloader<SslContext> ssl = config.tlsEnabled()
                ? new io.kezdesu.common.tls.TlsReloader<>(new io.kezdesu.common.tls.TlsFiles(
                        config.tlsCert().orElseThrow(), config.tlsKey().orElseThrow()), RelayServer::sslContext)
                : null;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // One loop per core by default: more threads than cores only adds context switches to a loop that never
        // blocks, and fewer loops read bigger batches per wake-up (relay-threads sets another number).
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.eventLoops(), io);
        UdpSockets datagrams = UdpSockets.forTransport(epoll);
        List<InetAddress> relayIps = relayIps(config);
        Set<InetSocketAddress> own = new CopyOnWriteArraySet<>();
        QuotaPolicy quota = new QuotaPolicy(config.userQuota(), config.roomQuota(), config.totalQuota(),
                config.addressQuota(), config.permissionQuota());
        AllocationManager allocations = new AllocationManager(relayIps, config.minPort(), config.maxPort(),
                new AddressMapper(config.externalIps()), quota, datagrams, config.maxBps(),
                config.maxChannelNumber());
        TurnServices services = new TurnServices(config,
                new TurnAuthenticator(config.realm(), restCredentials(config), config.users()),
                new NonceService(config.nonceSecret(), config.nonceLifetime(), Clock.systemUTC()),
                new SourceRateLimiter(config.unauthorizedBurst(), config.unauthorizedPerSecond()),
                new SourceRateLimiter(config.bindingBurst(), config.bindingPerSecond()),
                new PeerAddressPolicy(config.deniedPeers(), config.allowedPeers(), config.allowLoopbackPeers(),
                        config.denyPrivatePeers(), own, ownAddresses(config, relayIps)),
                allocations, new StreamClients(), new KeyedLimit(config.connectionsPerIp()), budget,
                new io.kezdesu.relay.server.NatDiscovery(config.natDiscovery()), new Drain());
        allocations.metrics().streamBacklog(services.streams()::backlogBytes);
        RelayServer server = new RelayServer(group, allocations, new StreamInitializer(services, null), ssl,
                services.drain());
        try {
            for (InetAddress ip : listeningIps(config)) {
                server.bindUdpAndTcp(services, datagrams, epoll, ip, config.listeningPort());
                // RFC 5780: the alternate port on both of its addresses, UDP only (TURN is served there too).
                var nat = config.natDiscovery();
                if (nat.isPresent() && (ip.equals(nat.get().primaryIp()) || ip.equals(nat.get().alternateIp()))) {
                    List<Channel> alt = server.bindUdp(services, datagrams, epoll, ip, nat.get().alternatePort());
                    server.channels.addAll(alt);
                    server.udp.add((InetSocketAddress) alt.get(0).localAddress());
                }
                if (ssl != null) {
                    server.bindStream(services, epoll, new InetSocketAddress(ip, config.tlsListeningPort()), ssl,
                            server.tls);
                }
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        own.addAll(server.udp);
        own.addAll(server.tcp);
        own.addAll(server.tls);
        log.info("relay listening udp={} tcp={} tls={} relay-ip={} transport={}", server.udp, server.tcp, server.tls,
                relayIps.stream().map(InetAddress::getHostAddress).toList(), epoll ? "epoll" : "nio");
        return server;
    }

    /**
     * UDP and TCP on one port. With port 0, TCP takes the port UDP was given, as clients expect one STUN port for
     * both; if that TCP port happens to be busy, both are given up and another free port is tried.
     */
    private void bindUdpAndTcp(TurnServices services, UdpSockets datagrams, boolean epoll,
                               InetAddress ip, int port) {
        for (int attempt = 1; ; attempt++) {
            List<Channel> udpChannels = bindUdp(services, datagrams, epoll, ip, port);
            InetSocketAddress bound = (InetSocketAddress) udpChannels.get(0).localAddress();
            try {
                bindStream(services, epoll, bound, null, tcp);
            } catch (RuntimeException e) {
                udpChannels.forEach(ch -> ch.close().awaitUninterruptibly());
                if (port != 0 || attempt >= PORT_ZERO_ATTEMPTS) {
                    throw e;
                }
                continue;
            }
            channels.addAll(udpChannels);
            udp.add(bound);
            return;
        }
    }

    /** With epoll, one UDP socket per event loop on the same port (SO_REUSEPORT), so UDP load uses every core. */
    private List<Channel> bindUdp(TurnServices services, UdpSockets datagrams, boolean epoll,
                                  InetAddress ip, int port) {
        int sockets = epoll ? Math.max(1, eventLoops()) : 1;
        List<Channel> bound = new ArrayList<>(sockets);
        for (int i = 0; i < sockets; i++) {
            Bootstrap b = datagrams.bootstrap().group(group)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20)
                    .option(ChannelOption.SO_SNDBUF, 1 << 20)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            // Peer → client sends arrive from relay sockets' reads: one flush per loop turn.
                            ch.pipeline().addLast(new FlushConsolidationHandler(64, true),
                                    new UdpServerHandler(services));
                        }
                    });
            if (epoll) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            try {
                bound.add(bound(b.bind(bound.isEmpty() ? new InetSocketAddress(ip, port)
                        : bound.get(0).localAddress()), "udp " + ip.getHostAddress() + ":" + port));
                services.natDiscovery().listener(bound.get(bound.size() - 1));
            } catch (RuntimeException e) {
                bound.forEach(ch -> ch.close().awaitUninterruptibly());
                throw e;
            }
        }
        return bound;
    }

    private void bindStream(TurnServices services, boolean epoll, InetSocketAddress address,
                            java.util.function.Supplier<SslContext> ssl,
                            List<InetSocketAddress> into) {
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        Channel ch = bound(new ServerBootstrap().group(group).channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                // Restarting on a port whose old connections linger in TIME_WAIT must work, as for any server.
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new StreamInitializer(services, ssl))
                .bind(address), (ssl != null ? "tls " : "tcp ") + address);
        channels.add(ch);
        into.add((InetSocketAddress) ch.localAddress());
    }

    /**
     * Waits for a bind. Netty rethrows a failed bind's checked IOException undeclared from syncUninterruptibly,
     * which a {@code catch (RuntimeException)} would miss; this turns it into an unchecked one with the address.
     */
    private static Channel bound(ChannelFuture future, String what) {
        future.awaitUninterruptibly();
        if (!future.isSuccess()) {
            throw new IllegalStateException("cannot bind " + what + ": " + future.cause().getMessage(),
                    future.cause());
        }
        return future.channel();
    }

    /** The relay's Prometheus metrics (text exposition by {@code scrape()}). */
    public io.kezdesu.relay.metrics.RelayMetrics metrics() {
        return allocations.metrics();
    }

    public List<InetSocketAddress> udpAddresses() {
        return Collections.unmodifiableList(udp);
    }

    public List<InetSocketAddress> tcpAddresses() {
        return Collections.unmodifiableList(tcp);
    }

    public List<InetSocketAddress> tlsAddresses() {
        return Collections.unmodifiableList(tls);
    }

    /**
     * Starts draining: new Allocates are sent to {@code alternates} (300 Try Alternate), or refused with 508 where
     * none serves the client's family and transport; existing allocations are served on. Calling it again only
     * replaces the alternates.
     */
    public void drain(Drain.Alternates alternates) {
        if (!drain.active()) {
            log.info("draining: new allocations go to other relays; {} allocations stay", allocationCount());
        }
        drain.start(alternates);
    }

    public boolean draining() {
        return drain.active();
    }

    /** Live allocations (for tests and metrics). */
    public int allocationCount() {
        return allocations.size();
    }

    /** Stops listening, drops every allocation, and waits for the event loops to finish. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly();
        }
        allocations.closeAll();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** The event loops this relay runs (one UDP listener socket each with epoll). */
    int eventLoops() {
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        return n;
    }

    private static Optional<TurnRestCredentials> restCredentials(RelayConfig config) {
        // Only passwordsFor is used here; the TTL matters to minting, which the relay never does.
        return config.authSecrets().isEmpty() ? Optional.empty()
                : Optional.of(new TurnRestCredentials(config.authSecrets(), Duration.ofHours(1), Clock.systemUTC()));
    }

    /** The context for the files the reloader hands over (the configured ones, read again at each reload). */
    private static SslContext sslContext(io.kezdesu.common.tls.TlsFiles files) {
        try {
            return SslContextBuilder.forServer(files.certificate().toFile(), files.privateKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-cert/tls-key: " + e.getMessage()
                    + " (expected: a PEM certificate chain and its PEM private key)", e);
        }
    }

    private static List<InetAddress> listeningIps(RelayConfig config) {
        if (!config.listeningIps().isEmpty()) {
            return config.listeningIps();
        }
        try {
            return List.of(InetAddress.getByAddress(new byte[4]));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every address this host answers on: interfaces, the relay address and the public external-ip. */
    private static Set<InetAddress> ownAddresses(RelayConfig config, List<InetAddress> relayIps) {
        Set<InetAddress> own = new LinkedHashSet<>(relayIps);
        own.addAll(config.listeningIps());
        config.externalIps().forEach(m -> own.add(m.publicAddress()));
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                nif.inetAddresses().forEach(own::add);
            }
        } catch (SocketException e) {
            log.warn("cannot list network interfaces for the peer policy: {}", e.toString());
        }
        own.removeIf(InetAddress::isAnyLocalAddress);
        return own;
    }

    /**
     * relay-ip (one IPv4 and one IPv6 address at most, IPv4 first), else one address: the first concrete listening
     * address, else the first non-loopback IPv4 interface address (what coturn does), else loopback.
     */
    static List<InetAddress> relayIps(RelayConfig config) {
        if (!config.relayIps().isEmpty()) {
            List<InetAddress> ips = new ArrayList<>(config.relayIps());
            ips.sort(java.util.Comparator.comparing(ip -> ip instanceof Inet4Address ? 0 : 1));
            return List.copyOf(ips);
        }
        return List.of(fallbackRelayIp(config));
    }

    private static InetAddress fallbackRelayIp(RelayConfig config) {
        for (InetAddress ip : config.listeningIps()) {
            if (!ip.isAnyLocalAddress()) {
                return ip;
            }
        }
        try {
            Set<InetAddress> candidates = new LinkedHashSet<>();
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback()) {
                    nif.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(candidates::add);
                }
            }
            if (!candidates.isEmpty()) {
                return candidates.iterator().next();
            }
        } catch (SocketException e) {
            log.warn("cannot list network interfaces, relaying on loopback: {}", e.toString());
        }
        return InetAddress.getLoopbackAddress();
    }
}
