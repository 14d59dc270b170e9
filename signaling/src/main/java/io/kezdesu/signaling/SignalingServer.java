package io.kezdesu.signaling;

import io.kezdesu.common.auth.JwtService;
import io.kezdesu.common.auth.NodeSignature;
import io.kezdesu.common.auth.PasswordHasher;
import io.kezdesu.common.auth.PasswordPool;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.ratelimit.FailureCounter;
import io.kezdesu.common.ratelimit.KeyedLimit;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.account.AccountsApi;
import io.kezdesu.signaling.account.UserRepository;
import io.kezdesu.signaling.admin.AdminAuth;
import io.kezdesu.signaling.admin.AdminRelaysApi;
import io.kezdesu.signaling.room.RoomChanges;
import io.kezdesu.signaling.webhook.WebhookEvents;
import io.kezdesu.signaling.webhook.Webhooks;
import io.kezdesu.signaling.admin.AdminRoomsApi;
import io.kezdesu.signaling.admin.AdminUsersApi;
import io.kezdesu.signaling.cluster.NodeLinks;
import io.kezdesu.signaling.cluster.NodeRegistry;
import io.kezdesu.signaling.cluster.NodeRequests;
import io.kezdesu.signaling.cluster.PeerRoutes;
import io.kezdesu.signaling.cluster.RoomLeaseStore;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.ClientAddress;
import io.kezdesu.signaling.http.HealthApi;
import io.kezdesu.signaling.http.HttpInitializer;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.common.relays.RelayRecords;
import io.kezdesu.signaling.ice.IceServers;
import io.kezdesu.signaling.ice.IceServersApi;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import io.kezdesu.signaling.peerjs.PeerJsApi;
import io.kezdesu.signaling.peerjs.PeerJsService;
import io.kezdesu.signaling.peerjs.PeerJsUpgradeHandler;
import io.kezdesu.signaling.report.ConferenceRecorder;
import io.kezdesu.signaling.report.ConferenceRepository;
import io.kezdesu.signaling.report.ReportsApi;
import io.kezdesu.signaling.room.RoomRepository;
import io.kezdesu.signaling.room.RoomService;
import io.kezdesu.signaling.room.RoomsApi;
import io.kezdesu.signaling.session.UserSockets;
import io.kezdesu.signaling.ws.WebSocketUpgradeHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTP(S) server: accounts API, admin API, health, and (later) the WebSocket signaling and web client. Owns its
 * event loops, the password-hashing pool and every connection, so {@link #close()} can stop it in order.
 */
public final class SignalingServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingServer.class);
    private static final Duration DRAIN = Duration.ofSeconds(4);
    /** Keys (addresses, accounts) the login throttle tracks before it counts newcomers together. */
    private static final int THROTTLE_KEYS = 100_000;
    /**
     * Failed logins against one account from all addresses together, as a multiple of
     * {@code login-failures-per-account} (which counts per account and address): only a guesser spread over many
     * addresses reaches it, and then everyone's tries on the account slow down, its owner's too.
     */
    private static final int ACCOUNT_FAILURES_FACTOR = 10;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final PasswordPool kdf;
    private final Channel serverChannel;
    private final ChannelGroup channels;
    private final AtomicInteger inFlight;
    private final boolean tls;
    private final java.net.InetAddress configuredIp;
    private final RoomService rooms;
    private final ConferenceRecorder recorder;
    private final ScheduledExecutorService timers;
    private final Optional<PeerJsService> peerJs;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final NodeRegistry nodes;
    private final RoomLeaseStore leases;
    private final Webhooks webhooks;

    private final Optional<io.kezdesu.common.tls.TlsReloader<SslContext>> certificate;

    private SignalingServer(EventLoopGroup boss, EventLoopGroup workers, PasswordPool kdf, Channel serverChannel,
                            ChannelGroup channels, AtomicInteger inFlight, boolean tls,
                            java.net.InetAddress configuredIp, RoomService rooms, ConferenceRecorder recorder,
                            ScheduledExecutorService timers, Optional<PeerJsService> peerJs,
                            Optional<io.kezdesu.common.tls.TlsReloader<SslContext>> certificate, NodeRegistry nodes,
                            RoomLeaseStore leases, Webhooks webhooks) {
        this.webhooks = webhooks;
        this.certificate = certificate;
        this.nodes = nodes;
        this.leases = leases;
        this.peerJs = peerJs;
        this.rooms = rooms;
        this.recorder = recorder;
        this.timers = timers;
        this.boss = boss;
        this.workers = workers;
        this.kdf = kdf;
        this.serverChannel = serverChannel;
        this.channels = channels;
        this.inFlight = inFlight;
        this.tls = tls;
        this.configuredIp = configuredIp;
    }

    /**
     * Ensures the store's indexes, closes conferences a crash left open, and starts listening; blocks the calling
     * (non-event-loop) thread until bound.
     */
    public static SignalingServer start(SignalingConfig config, Store store) {
        return start(config, store, Clock.systemUTC());
    }

    /** As {@link #start(SignalingConfig, Store)}, with the clock that stamps tokens, credentials and reports. */
    public static SignalingServer start(SignalingConfig config, Store store, Clock clock) {
        return start(config, store, clock, () -> new byte[0]);
    }

    /**
     * As {@link #start(SignalingConfig, Store, Clock)}; {@code extraMetrics} is appended to {@code /metrics} (more
     * Prometheus text exposition, e.g. the relay's when both run in one process, without either module importing
     * the other).
     */
    public static SignalingServer start(SignalingConfig config, Store store, Clock clock,
                                        java.util.function.Supplier<byte[]> extraMetrics) {
        return start(config, store, clock, extraMetrics,
                io.kezdesu.common.ratelimit.ConnectionBudget.of(config.abuse().maxConnections()));
    }

    /**
     * As {@link #start(SignalingConfig, Store, Clock, java.util.function.Supplier)}, counting connections against
     * {@code budget}, which a relay in the same process shares (the open-file limit is the process's).
     */
    public static SignalingServer start(SignalingConfig config, Store store, Clock clock,
                                        java.util.function.Supplier<byte[]> extraMetrics,
                                        io.kezdesu.common.ratelimit.ConnectionBudget budget) {
        return start(config, store, clock, extraMetrics, budget, Optional.empty());
    }

    /**
     * As above; with {@code turn}, the HTTPS listener serves TURN too (one port for HTTPS, WSS and TURN over TLS, and
     * TURN over TCP): a connection that negotiates ALPN {@code stun.turn} or sends a STUN message first is handed to
     * {@code turn}. Needs HTTPS.
     */
    public static SignalingServer start(SignalingConfig config, Store store, Clock clock,
                                        java.util.function.Supplier<byte[]> extraMetrics,
                                        io.kezdesu.common.ratelimit.ConnectionBudget budget,
                                        Optional<io.kezdesu.signaling.http.TurnOnHttpsPort> turn) {
        if (turn.isPresent() && config.tls().isEmpty()) {
            throw new IllegalArgumentException("TURN on the HTTP port needs HTTPS (tls-cert and tls-key)");
        }
        Duration startup = Duration.ofSeconds(30);
        UserRepository users = new UserRepository(store.database());
        // Room changes reach the webhooks, which start further down (they need this node's id and timers).
        AtomicReference<RoomChanges> roomChanges = new AtomicReference<>(RoomChanges.NONE);
        RoomRepository roomStore = new RoomRepository(store.database(), clock,
                (event, room) -> roomChanges.get().changed(event, room));
        ConferenceRepository conferenceStore = new ConferenceRepository(store.database());
        users.ensureIndexes().then(roomStore.ensureIndexes()).then(conferenceStore.ensureIndexes()).block(startup);
        boolean tls = config.tls().isPresent();
        AtomicReference<String> served = new AtomicReference<>(config.nodeAddress()
                .orElse(nodeAddress(config.httpIp(), config.httpPort(), tls)));
        NodeRegistry nodes = new NodeRegistry(store.database(), served::get, clock, config.nodeTimeout());
        RoomLeaseStore leases = new RoomLeaseStore(store.database(), nodes);
        ConferenceRecorder recorder = new ConferenceRecorder(conferenceStore, nodes.id());
        // Reports say how long a live conference has run by its node's last heartbeat (nothing is stamped per
        // conference while nothing happens).
        conferenceStore.nodesSeen(() -> nodes.view().map(view -> view.heartbeats()::get));
        // Not beside a live node of another version: they would misread each other's leases and records.
        nodes.requireOneProtocol().block(startup.plus(config.nodeTimeout()));
        nodes.register().block(startup);
        // The run before this one, from the same data directory, is over: its rooms are free now, not after
        // node-timeout (a restart after a crash would otherwise find its own rooms held), and its conferences wait
        // a resume grace for their people to come back here.
        Optional<String> previous = config.nodeIdFile().flatMap(DataDirectory::readText).map(String::strip)
                .filter(p -> !p.isEmpty());
        previous.ifPresent(p -> {
            nodes.supersede(p);
            leases.expire(p).block(startup);
        });
        config.nodeIdFile().ifPresent(file -> {
            try {
                DataDirectory.writeOwnerOnly(file, nodes.id() + "\n", true);
            } catch (java.io.IOException e) {
                LOG.warn("cannot write {} (a restart after a crash will wait node-timeout for this run's rooms): {}",
                        file, e.toString());
            }
        });
        // What is closed now is passed on (webhooks) once the rest has started.
        java.util.List<io.kezdesu.signaling.room.ConferenceEvents.Orphaned> orphans =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        Long recovered = recoverOrphans(nodes, recorder, config.resumeGrace(), true, orphans::add).block(startup);
        if (recovered != null && recovered > 0) {
            LOG.warn("closed {} conference(s) left open by a node that is gone", recovered);
        }

        int cores = Runtime.getRuntime().availableProcessors();
        AbuseLimits abuse = config.abuse();
        PasswordPool kdf = new PasswordPool(new PasswordHasher(), Math.max(1, cores), abuse.passwordHashQueue());
        SignalingMetrics metrics = new SignalingMetrics();
        UserSockets sockets = new UserSockets();
        JwtService jwt = new JwtService(config.jwtSecret(), config.jwtIssuer(), config.jwtTtl(), clock);
        AccountService accounts = new AccountService(users, kdf, jwt,
                new AccountService.LoginThrottle(
                        FailureCounter.progressive(abuse.loginFailuresPerIp(), abuse.loginFailureWindow(),
                                THROTTLE_KEYS, clock),
                        FailureCounter.progressive(abuse.loginFailuresPerAccount(), abuse.loginFailureWindow(),
                                THROTTLE_KEYS, clock),
                        FailureCounter.progressive(ACCOUNT_FAILURES_FACTOR * abuse.loginFailuresPerAccount(),
                                abuse.loginFailureWindow(), THROTTLE_KEYS, clock)),
                FailureCounter.windowed(abuse.registrationsPerIp(), abuse.registrationWindow(), THROTTLE_KEYS, clock),
                clock, sockets);
        Map<String, io.kezdesu.common.auth.oidc.IdpTokens> idps = new java.util.LinkedHashMap<>();
        config.idp().ifPresent(i -> i.providers().forEach(p -> idps.put(p.id(),
                new io.kezdesu.common.auth.oidc.IdpTokens(p.issuer(), p.audience(), clock, i.keysMinInterval(),
                        i.claims()))));
        accounts.acceptingIdpTokens(java.util.List.copyOf(idps.values()));
        IceServers ice = new IceServers(new TurnRestCredentials(config.turnSecrets(), config.turnCredentialTtl(),
                clock), config.iceUrls(), config.turnHost(), config.relay(), config.fleet());
        RelayRecords relays = new RelayRecords(store.database(), clock, config.nodeTimeout());
        ice.fleet(relays.alive().block(startup));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kezdesu-room-timers");
            t.setDaemon(true);
            return t;
        });
        ClientAddress clientAddress = new ClientAddress(config.abuse().trustedProxies());
        Webhooks webhooks = new Webhooks(config.webhooks().receivers(), store.database(), nodes.id(), clock,
                config.webhooks().retryFor(), config.webhooks().firstRetry(), timers, metrics.registry())
                .start(startup, previous);
        WebhookEvents events = new WebhookEvents(recorder, webhooks, clock);
        orphans.forEach(events::orphanClosed);
        roomChanges.set(events);
        RoomService rooms = RoomService.create(clock, timers, roomStore, events, ice, metrics,
                new RoomService.Rules(config.resumeGrace(), config.resumeQueue(), config.duplicateJoin(),
                        config.webSocket().heartbeatTimeout().plus(Duration.ofSeconds(5)),
                        config.defaultMaxParticipants(), config.maxParticipantsLimit(), config.maxConferenceExtension()),
                kdf, leases);
        metrics.liveRooms(rooms.registry()::size);
        AdminAuth adminAuth = new AdminAuth(config.adminToken(), config.idp().map(SignalingConfig.IdpSettings::admins)
                .orElse(java.util.Set.of()), Optional.of(accounts));
        NodeSignature signature = new NodeSignature(config.clusterSecret()
                .map(secret -> secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .orElseGet(() -> NodeSignature.derive(config.jwtSecret())), clock);

        Router router = new Router();
        new HealthApi(store).routes(router);
        boolean metricsForAdmins = abuse.metricsAccess() == io.kezdesu.common.config.ConfigKeys.MetricsAccess.ADMIN;
        router.add(HttpMethod.GET, "/metrics", req -> {
            java.util.function.Supplier<Mono<ApiResponse>> scrape = () -> Mono.just(ApiResponse.bytes(HttpResponseStatus.OK,
                    concat(metrics.scrape(), extraMetrics.get()), SignalingMetrics.contentType()));
            return metricsForAdmins ? adminAuth.require(req, scrape) : scrape.get();
        });
        boolean oidcOnly = config.idp().map(SignalingConfig.IdpSettings::only).orElse(false);
        new AccountsApi(accounts, config.allowRegistration(), metrics, !oidcOnly).routes(router);
        // The login page asks which sign-in there is: a button per provider that signs people in, and passwords
        // unless oidc-only.
        java.util.List<Map<String, Object>> signIns = new java.util.ArrayList<>();
        config.idp().ifPresent(i -> i.providers().forEach(p -> p.signIn().ifPresent(signIn -> {
            io.kezdesu.signaling.account.OidcSignIn flow = new io.kezdesu.signaling.account.OidcSignIn(p.id(),
                    idps.get(p.id()), signIn, accounts, config.jwtSecret(), config.publicUrl(), tls, clock);
            flow.routes(router);
            signIns.add(Map.of("id", p.id(), "name", signIn.displayName(), "start", flow.startPath()));
        })));
        router.add(HttpMethod.GET, "/api/auth/providers", req -> Mono.just(ApiResponse.ok(Map.of("providers",
                signIns, "passwords", !oidcOnly))));
        // The nodes on this store, each with the rooms it serves now (its leases).
        router.add(HttpMethod.GET, "/admin/nodes", req -> adminAuth.require(req, () ->
                nodes.describe().zipWith(leases.all(), (list, held) -> {
                    for (Map<String, Object> n : list) {
                        n.put("rooms", held.values().stream().filter(n.get("id")::equals).count());
                    }
                    return ApiResponse.ok(Map.of("nodes", list));
                })));
        new AdminRelaysApi(relays, ice, adminAuth).routes(router);
        NodeRequests roomRouting = new NodeRequests(leases, signature, nodes.id(),
                id -> rooms.registry().find(id).isPresent());
        new RoomsApi(rooms, accounts, config.publicUrl(), tls, config.roomsPerUser(), config.idp()
                .map(SignalingConfig.IdpSettings::roomCreators).orElse(java.util.Set.of())).routes(router, roomRouting);
        new ReportsApi(conferenceStore, rooms, accounts).routes(router);
        new AdminUsersApi(accounts, adminAuth).routes(router);
        new AdminRoomsApi(rooms, accounts, conferenceStore, adminAuth).routes(router, roomRouting);
        new IceServersApi(ice, accounts).routes(router);
        // PeerJS ids connected to other nodes of the cluster are reached through them.
        AtomicReference<Optional<PeerJsService>> peerJsHere = new AtomicReference<>(Optional.empty());
        PeerRoutes peerRoutes = new PeerRoutes(store.database(), nodes, signature, peerJsHere::get);
        Optional<PeerJsService> peerJs = config.peerJs().map(s -> new PeerJsService(s, metrics, timers, peerRoutes));
        peerJsHere.set(peerJs);
        router.add(HttpMethod.POST, PeerRoutes.PATH, peerRoutes::receive);
        java.util.Set<InetAddress> otherNodes = nodes.peerAddresses().block(startup);
        clientAddress.nodes(otherNodes);
        peerRoutes.others(!otherNodes.isEmpty());
        // This node's heartbeat and its rooms' leases, the other nodes' addresses, and the conferences of nodes
        // dead for longer than a resume grace that nobody took over.
        long nodeBeat = nodes.heartbeatEvery().toMillis();
        timers.scheduleWithFixedDelay(() -> nodes.heartbeat()
                .then(leases.renew(rooms.registry().liveIds()))
                .doOnNext(lost -> {
                    if (!lost.isEmpty()) {
                        LOG.warn("{} room(s) are served by another node now (this one was cut off from the store "
                                + "for longer than node-timeout); their participants reconnect there", lost.size());
                        rooms.registry().moved(lost);
                    }
                })
                .then(nodes.peerAddresses())
                .doOnNext(others -> {
                    clientAddress.nodes(others);
                    peerRoutes.others(!others.isEmpty());
                })
                .then(relays.alive().doOnNext(ice::fleet))
                .then(recoverOrphans(nodes, recorder, config.resumeGrace(), false, events::orphanClosed))
                .subscribe(n -> {
                    if (n > 0) {
                        LOG.warn("closed {} conference(s) of a node that stopped answering", n);
                    }
                }, e -> LOG.warn("node heartbeat failed: {}", e.toString())), nodeBeat, nodeBeat,
                TimeUnit.MILLISECONDS);
        peerJs.ifPresent(p -> new PeerJsApi(p).routes(router));
        router.fallback(new io.kezdesu.signaling.web.StaticFiles()::serve);

        Optional<io.kezdesu.common.tls.TlsReloader<SslContext>> ssl = config.tls().map(
                files -> new io.kezdesu.common.tls.TlsReloader<>(files, f -> sslContext(f, turn.isPresent())));
        io.kezdesu.signaling.ws.OriginPolicy origins = new io.kezdesu.signaling.ws.OriginPolicy(
                abuse.allowedOrigins(), config.publicUrl());
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(cores,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        NodeLinks links = new NodeLinks(workers, epoll ? EpollSocketChannel.class : NioSocketChannel.class, jwt,
                signature, nodes.id(), config.webSocket().heartbeatTimeout(), metrics.forwarded);
        ChannelGroup channels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
        AtomicInteger inFlight = new AtomicInteger();
        try {
            Class<? extends ServerSocketChannel> type = epoll ? EpollServerSocketChannel.class
                    : NioServerSocketChannel.class;
            ChannelFuture bound = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new HttpInitializer(ssl.map(r -> r), config.maxBodySize(), router, inFlight, metrics, channels,
                            clientAddress, abuse.headerTimeout(),
                            new KeyedLimit(abuse.connectionsPerIp()), budget,
                            () -> new WebSocketUpgradeHandler(accounts, rooms, metrics, config.webSocket(), sockets,
                                    tls, origins, signature, links),
                            peerJs.map(p -> () -> new PeerJsUpgradeHandler(p, accounts, metrics, sockets, tls)),
                            turn))
                    .bind(new InetSocketAddress(config.httpIp(), config.httpPort()))
                    .awaitUninterruptibly();
            // Netty's syncUninterruptibly would rethrow a failed bind's IOException undeclared, past the catch
            // below: the message then lacked the address and nothing started here was shut down.
            if (!bound.isSuccess()) {
                throw new IllegalStateException(bound.cause().getMessage(), bound.cause());
            }
            Channel ch = bound.channel();
            if (config.nodeAddress().isEmpty()) {
                served.set(nodeAddress(config.httpIp(), ((InetSocketAddress) ch.localAddress()).getPort(), tls));
            }
            nodes.heartbeat().block(startup); // the bound port, before anyone forwards here
            return new SignalingServer(boss, workers, kdf, ch, channels, inFlight, tls, config.httpIp(), rooms,
                    recorder, timers, peerJs, ssl, nodes, leases, webhooks);
        } catch (RuntimeException e) {
            peerJs.ifPresent(PeerJsService::close);
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            kdf.close();
            timers.shutdownNow();
            throw new IllegalStateException("cannot listen on " + config.httpIp().getHostAddress() + ":"
                    + config.httpPort() + ": " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext(io.kezdesu.common.tls.TlsFiles files, boolean turnToo) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(files.certificate().toFile(),
                    files.privateKey().toFile());
            if (turnToo) {
                // RFC 7443: a TURN client may say "stun.turn" (coturn's offers "http/1.1" as well, so ours comes
                // first); browsers say "http/1.1" (or only "h2", which we do not speak: then nothing is selected and
                // the handshake goes on, as without ALPN).
                b.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        io.kezdesu.signaling.http.TurnOnHttpsPort.ALPN_TURN, "http/1.1"));
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls-cert/tls-key: " + files.certificate() + ", " + files.privateKey()
                    + " (expected: a PEM certificate chain and its PEM private key; " + e.getMessage() + ")", e);
        }
    }

    /** The bound address: the configured IP (a wildcard stays a wildcard) with the actual port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(configuredIp, ((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    /**
     * Picks up a renewed certificate (new connections get it, open ones keep theirs): when its files changed, or
     * always with {@code force}. Returns whether a new one is in use; a renewal that cannot be read keeps the old.
     */
    public boolean reloadCertificate(boolean force) {
        return certificate.map(c -> c.reload(force)).orElse(false);
    }

    public boolean isTls() {
        return tls;
    }

    /** The base URL, e.g. {@code http://0.0.0.0:8080}. */
    public String url() {
        InetSocketAddress a = address();
        // RFC 5952's short form: [::1], not [0:0:0:0:0:0:0:1].
        String host = io.netty.util.NetUtil.toAddressString(a.getAddress());
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
        // Everyone in a room hears the server is going, conferences end as "shutdown", their records land.
        rooms.registry().shutdown(Duration.ofSeconds(2));
        long recordDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!recorder.idle() && System.nanoTime() < recordDeadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // The events of those last moments (participants left, conferences ended) into the outbox.
        webhooks.close();
        channels.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE),
                        ch -> ch.pipeline().get("signaling") != null || ch.pipeline().get("peerjs") != null)
                .awaitUninterruptibly(1, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        peerJs.ifPresent(PeerJsService::close);
        timers.shutdownNow();
        // Its conferences have ended: it leaves the cluster now rather than be found dead later.
        try {
            leases.releaseAll().then(nodes.leave()).block(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.warn("could not take this node out of the store's node list: {}", e.toString());
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        kdf.close();
    }

    /**
     * Closes the conferences of nodes dead for longer than a resume grace (and those recorded before nodes, or by a
     * node the store no longer lists), then forgets those nodes. Every node runs it at start ({@code always}) and with
     * its heartbeat, there only while some node is that dead: the scan reads every conference record (in the embedded
     * store, which has no index it can use, an idle node with 2,500 live conferences read them all every 3.3 s), and a
     * live node's records are its own to close. Two nodes doing it at once close each record once.
     */
    private static Mono<Long> recoverOrphans(NodeRegistry nodes, ConferenceRecorder recorder, Duration grace,
                                             boolean always,
                                             java.util.function.Consumer<io.kezdesu.signaling.room.ConferenceEvents
                                                     .Orphaned> closed) {
        // A dead node's conferences wait a resume grace first: its people may come back to another node, which then
        // takes the conference over (one record, no crash) instead.
        return nodes.view().flatMap(view -> {
            java.util.Set<String> closable = view.deadFor(grace);
            if (closable.isEmpty() && !always) {
                return Mono.just(0L);
            }
            java.util.Set<String> spared = new java.util.HashSet<>(view.heartbeats().keySet());
            spared.removeAll(closable);
            return recorder.recoverOrphans(spared, view.heartbeats(), closed)
                    .flatMap(n -> Flux.fromIterable(closable).concatMap(nodes::forget).then(Mono.just(n)));
        });
    }

    /**
     * Where other nodes reach this one when {@code node-address} is not set: the listening address, or when that is
     * every address, this machine's first address that is neither loopback nor link-local (else loopback).
     */
    static String nodeAddress(InetAddress listening, int port, boolean tls) {
        InetAddress host = listening;
        if (listening.isAnyLocalAddress()) {
            host = InetAddress.getLoopbackAddress();
            try {
                for (java.net.NetworkInterface nic : java.util.Collections.list(
                        java.net.NetworkInterface.getNetworkInterfaces())) {
                    if (!nic.isUp() || nic.isLoopback()) {
                        continue;
                    }
                    java.util.Optional<InetAddress> usable = nic.inetAddresses()
                            .filter(a -> !a.isLinkLocalAddress() && !a.isLoopbackAddress())
                            .filter(a -> listening instanceof java.net.Inet6Address || a instanceof java.net.Inet4Address)
                            .findFirst();
                    if (usable.isPresent()) {
                        host = usable.get();
                        break;
                    }
                }
            } catch (java.net.SocketException e) {
                LOG.debug("no network interfaces listed ({}); other nodes are told loopback", e.toString());
            }
        }
        String h = host.getHostAddress();
        if (host instanceof java.net.Inet6Address) {
            int scope = h.indexOf('%');
            h = "[" + (scope < 0 ? h : h.substring(0, scope)) + "]";
        }
        return (tls ? "https://" : "http://") + h + ":" + port;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
