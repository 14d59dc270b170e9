package io.kezdesu.signaling;

import io.kezdesu.common.auth.JwtService;
import io.kezdesu.common.auth.PasswordHasher;
import io.kezdesu.common.ratelimit.FailureCounter;
import io.kezdesu.common.store.Store;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.account.AccountsApi;
import io.kezdesu.signaling.account.UserRepository;
import io.kezdesu.signaling.admin.AdminAuth;
import io.kezdesu.signaling.admin.AdminUsersApi;
import io.kezdesu.signaling.http.HealthApi;
import io.kezdesu.signaling.http.HttpInitializer;
import io.kezdesu.signaling.http.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The HTTP(S) server: accounts API, admin API, health, and (later) the WebSocket signaling and web client. Owns its
 * event loops, the password-hashing pool and every connection, so {@link #close()} can stop it in order.
 */
public final class SignalingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingServer.class);
    private static final Duration DRAIN = Duration.ofSeconds(4);
    /** Keys (addresses, accounts) the login throttle tracks before it counts newcomers together. */
    private static final int THROTTLE_KEYS = 100_000;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Scheduler kdf;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final AtomicInteger inFlight;
    private final boolean tls;
    private final java.net.InetAddress configuredIp;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SignalingServer(EventLoopGroup boss, EventLoopGroup workers, Scheduler kdf, Channel serverChannel,
                            ChannelGroup channels, AtomicInteger inFlight, boolean tls,
                            java.net.InetAddress configuredIp) {
        this.boss = boss;
        this.workers = workers;
        this.kdf = kdf;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.inFlight = inFlight;
        this.tls = tls;
        this.configuredIp = configuredIp;
    }

    /** Ensures the store's indexes and starts listening; blocks the calling (non-event-loop) thread until bound. */
    public static SignalingServer start(SignalingConfig config, Store store) {
        Clock clock = Clock.systemUTC();
        UserRepository users = new UserRepository(store.database());
        users.ensureIndexes().block(Duration.ofSeconds(30));

        int cores = Runtime.getRuntime().availableProcessors();
        Scheduler kdf = Schedulers.newParallel("kezdesu-kdf", Math.max(1, cores));
        AccountService accounts = new AccountService(users, new PasswordHasher(), kdf,
                new JwtService(config.jwtSecret(), config.jwtIssuer(), config.jwtTtl(), clock),
                new FailureCounter(config.loginFailuresPerIp(), config.loginFailureWindow(), THROTTLE_KEYS, clock),
                new FailureCounter(config.loginFailuresPerAccount(), config.loginFailureWindow(), THROTTLE_KEYS,
                        clock),
                clock);
        Router router = new Router();
        new HealthApi(store).routes(router);
        new AccountsApi(accounts, config.allowRegistration()).routes(router);
        new AdminUsersApi(accounts, new AdminAuth(config.adminToken())).routes(router);

        Optional<SslContext> ssl = config.tls().map(SignalingServer::sslContext);
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(cores,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ChannelGroup channels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
        AtomicInteger inFlight = new AtomicInteger();
        try {
            Class<? extends ServerSocketChannel> type = epoll ? EpollServerSocketChannel.class
                    : NioServerSocketChannel.class;
            Channel ch = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new HttpInitializer(ssl, config.maxBodySize(), router, inFlight, channels))
                    .bind(new InetSocketAddress(config.httpIp(), config.httpPort()))
                    .syncUninterruptibly()
                    .channel();
            return new SignalingServer(boss, workers, kdf, ch, channels, inFlight, ssl.isPresent(), config.httpIp());
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            kdf.dispose();
            throw new IllegalStateException("cannot listen on " + config.httpIp().getHostAddress() + ":"
                    + config.httpPort() + ": " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext(io.kezdesu.common.tls.TlsFiles files) {
        try {
            return SslContextBuilder.forServer(files.certificate().toFile(), files.privateKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-cert/tls-key: " + files.certificate() + ", " + files.privateKey()
                    + " (expected: a PEM certificate chain and its PEM private key; " + e.getMessage() + ")", e);
        }
    }

    /** The bound address: the configured IP (a wildcard stays a wildcard) with the actual port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(configuredIp, ((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    public boolean isTls() {
        return tls;
    }

    /** The base URL, e.g. {@code http://0.0.0.0:8080}. */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (tls ? "https://" : "http://") + host + ":" + a.getPort();
    }

    /**
     * Stops accepting, lets requests in progress finish (up to a few seconds) so that their store writes
     * land, then closes every connection and the event loops. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("closing with {} requests still in progress", inFlight.get());
        }
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        kdf.dispose();
    }
}
