package io.kezdesu.cli.daemon;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.tls.TlsFiles;
import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.RelayServer;
import io.kezdesu.signaling.SignalingConfig;
import io.kezdesu.signaling.SignalingServer;
import io.kezdesu.signaling.http.TurnOnHttpsPort;
import io.kezdesu.signaling.ice.IceServers;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running kezdesu: the signaling server and/or the relay, their store and data directory. Started by
 * {@code kezdesu serve|signaling|relay} and by integration tests; {@link #close()} stops it in order (stop accepting,
 * drain requests, close sessions, close the store so that every acknowledged write is on disk).
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    /** What to run. */
    public enum Mode { ALL, SIGNALING, RELAY }

    private final DataDirectory dataDir;
    private final Optional<Store> store;
    private final Optional<SignalingServer> signaling;
    private final Optional<RelayServer> relay;
    private final Optional<MetricsListener> metrics;
    private final Optional<DaemonFile> daemonFile;
    private final String startupLine;
    private final AtomicBoolean closed = new AtomicBoolean();
    private static final long CERTIFICATE_CHECK_SECONDS = 60;
    private final java.util.concurrent.ScheduledExecutorService certificateCheck =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kezdesu-certificate-check");
                t.setDaemon(true);
                return t;
            });

    private final Optional<RelayMembership> fleet;
    private final java.util.concurrent.CompletableFuture<Void> drained;

    private Daemon(DataDirectory dataDir, Optional<Store> store, Optional<SignalingServer> signaling,
                   Optional<RelayServer> relay, Optional<MetricsListener> metrics, Optional<DaemonFile> daemonFile,
                   String startupLine, Optional<RelayMembership> fleet,
                   java.util.concurrent.CompletableFuture<Void> drained) {
        this.fleet = fleet;
        this.drained = drained;
        this.dataDir = dataDir;
        this.metrics = metrics;
        this.store = store;
        this.signaling = signaling;
        this.relay = relay;
        this.daemonFile = daemonFile;
        this.startupLine = startupLine;
    }

    public static Daemon start(Config config, Mode mode, String version) {
        DataDirectory dir = DataDirectory.open(config.get(ConfigKeys.DATA_DIR));
        Optional<TlsFiles> tls = TlsFiles.resolve(config, dir);
        List<AutoCloseable> started = new ArrayList<>();
        Optional<Store> store = Optional.empty();
        Optional<SignalingServer> signaling = Optional.empty();
        Optional<RelayServer> relay = Optional.empty();
        Optional<MetricsListener> metrics = Optional.empty();
        List<String> parts = new ArrayList<>();
        // One budget for both servers: the open-file limit it guards is the process's.
        ConnectionBudget budget = ConnectionBudget.of(config.get(ConfigKeys.MAX_CONNECTIONS));
        // One port for HTTPS, WSS and TURN over TLS (and TCP): the HTTPS listener recognises TURN clients and hands
        // them to the relay, which then binds no TLS listener of its own.
        boolean onePort = onePort(config, mode, tls);
        // The relay's id in the fleet, known before signaling starts so that signaling tells its own relay apart.
        String relayId = io.kezdesu.common.data.RandomIds.next(9);
        java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
        Optional<RelayMembership> fleet = Optional.empty();
        try {
            // Signaling always has a store (the embedded one unless mongo-uri is set); a relay alone has one only when
            // given a mongo-uri, which makes it a member of the relay fleet on that store.
            if (mode != Mode.RELAY || config.find(ConfigKeys.MONGO_URI).isPresent()) {
                Store s = Store.open(config, dir);
                store = Optional.of(s);
                started.add(s);
            }
            Secrets secrets = Secrets.resolve(config, dir, mode != Mode.RELAY,
                    store.map(io.kezdesu.common.store.StoredSecrets::new));
            if (mode != Mode.SIGNALING) {
                Optional<TlsFiles> relayTls = onePort ? Optional.empty() : tls;
                RelayServer r = RelayServer.start(RelayConfig.from(config, secrets,
                        relayTls.map(TlsFiles::certificate), relayTls.map(TlsFiles::privateKey)), budget);
                relay = Optional.of(r);
                started.add(r);
                int metricsPort = config.get(ConfigKeys.METRICS_PORT);
                if (metricsPort != 0) {
                    MetricsListener m = MetricsListener.start(
                            new InetSocketAddress(config.get(ConfigKeys.HTTP_IP), metricsPort), r.metrics()::scrape,
                            io.kezdesu.relay.metrics.RelayMetrics.contentType());
                    metrics = Optional.of(m);
                    started.add(m);
                    parts.add("metrics http " + describe("", List.of(m.address())).strip());
                }
            }
            if (mode != Mode.RELAY) {
                Store s = store.orElseThrow();
                // In one process signaling advertises the relay's actual ports (also when they were picked: 0).
                Optional<IceServers.RelayPorts> ports = relay.map(r -> new IceServers.RelayPorts(
                        r.udpAddresses().get(0).getPort(),
                        r.tlsAddresses().isEmpty() ? Optional.empty()
                                : Optional.of(r.tlsAddresses().get(0).getPort()), onePort));
                // The relay's metrics join signaling's /metrics as text: neither module imports the other.
                java.util.function.Supplier<byte[]> relayMetrics = relay.<java.util.function.Supplier<byte[]>>map(
                        r -> r.metrics()::scrape).orElse(() -> new byte[0]);
                Optional<TurnOnHttpsPort> turn = onePort ? relay.map(r -> r::adoptStream) : Optional.empty();
                SignalingServer server = SignalingServer.start(SignalingConfig.from(config, secrets, tls, ports,
                                relay.isPresent() ? Optional.of(relayId) : Optional.empty()), s,
                        java.time.Clock.systemUTC(), relayMetrics, budget, turn);
                signaling = Optional.of(server);
                started.add(server);
                parts.add((server.isTls() ? "https " : "http ") + server.url());
            }
            if (relay.isPresent()) {
                RelayServer r = relay.get();
                int tlsPort = !r.tlsAddresses().isEmpty() ? r.tlsAddresses().get(0).getPort()
                        : onePort ? signaling.map(s -> s.address().getPort()).orElse(0) : 0;
                RelayMembership m = RelayMembership.join(relayId, store.map(s -> new io.kezdesu.common.relays
                                .RelayRecords(s.database(), java.time.Clock.systemUTC(),
                                config.get(ConfigKeys.NODE_TIMEOUT))), r, config, tlsPort, () -> drained.complete(null));
                fleet = Optional.of(m);
                started.add(m);
                if (store.isPresent()) {
                    parts.add("relay " + relayId + " in the fleet");
                }
            }
            relay.ifPresent(r -> parts.add("turn " + describe("udp", r.udpAddresses()) + ", "
                    + describe("tcp", r.tcpAddresses())
                    + (r.tlsAddresses().isEmpty() ? "" : ", " + describe("tls", r.tlsAddresses()))
                    + (onePort ? ", tls and tcp on the https port" : "")));
            Optional<DaemonFile> file = signaling.map(s -> DaemonFile.write(dir, s));
            parts.add("data-dir " + dir.root());
            store.ifPresent(s -> parts.add("store " + s.description()));
            String line = "kezdesu " + version + " " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " ready: " + String.join(" | ", parts);
            LOG.info(line);
            FileLimit.check();
            HeapGiveBack.apply();
            Daemon daemon = new Daemon(dir, store, signaling, relay, metrics, file, line, fleet, drained);
            if (tls.isPresent()) {
                daemon.certificateCheck.scheduleWithFixedDelay(() -> daemon.reloadCertificates(false),
                        CERTIFICATE_CHECK_SECONDS, CERTIFICATE_CHECK_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            }
            return daemon;
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            throw store.filter(s -> !s.isEmbedded()).flatMap(s -> unreachable(s, e)).orElse(e);
        }
    }

    /**
     * Whether HTTPS and TURN share one port: both run here, HTTPS is on, {@code tls-listening-port} names the
     * {@code http-port} (a real port: two 0s each pick their own), and the relay would listen on the HTTPS address
     * (a wildcard on either side, or the same address). A relay on an address of its own keeps its own TLS
     * listener on that port (DEPLOY.md's second address).
     */
    static boolean onePort(Config config, Mode mode, Optional<TlsFiles> tls) {
        int http = config.get(ConfigKeys.HTTP_PORT);
        if (mode != Mode.ALL || tls.isEmpty() || http == 0 || http != config.get(ConfigKeys.TLS_LISTENING_PORT)) {
            return false;
        }
        java.net.InetAddress httpIp = config.get(ConfigKeys.HTTP_IP);
        List<java.net.InetAddress> relayIps = config.get(ConfigKeys.LISTENING_IP);
        return httpIp.isAnyLocalAddress() || relayIps.isEmpty() || relayIps.contains(httpIp)
                || relayIps.stream().anyMatch(java.net.InetAddress::isAnyLocalAddress);
    }

    /**
     * The driver's server-selection timeout, in one line: its message is the cluster's whole state ("Timed out
     * while waiting for a server that matches WritableServerSelector. Client view of cluster state is …"), with
     * the reason at the end. The store's description has no credentials.
     */
    private static Optional<RuntimeException> unreachable(Store store, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (io.kezdesu.common.store.StoreErrors.unreachable(t)) {
                java.util.regex.Matcher m = CAUSE.matcher(String.valueOf(t.getMessage()));
                String reason = "no server answered";
                while (m.find()) {
                    reason = m.group(1);
                }
                String where = store.description().replaceFirst("^MongoDB ", "MongoDB at ");
                return Optional.of(new IllegalStateException("cannot reach " + where + ": " + reason, e));
            }
        }
        return Optional.empty();
    }

    private static final java.util.regex.Pattern CAUSE = java.util.regex.Pattern.compile(
            "(?:caused by |exception=)\\{[\\w.$]+: ([^{}]+)}");

    /**
     * Serves a renewed TLS certificate from now on, to new connections (HTTPS and TURN over TLS): when its files
     * changed since it was read, or always with {@code force} (SIGHUP). Also checked every minute on its own, so
     * that a renewal (certbot, an ACME client) needs no restart and no hook. Returns whether a new one is in use.
     */
    public boolean reloadCertificates(boolean force) {
        boolean https = signaling.map(s -> s.reloadCertificate(force)).orElse(false);
        boolean turn = relay.map(r -> r.reloadCertificate(force)).orElse(false);
        return https | turn;
    }

    /**
     * Whether a stop signal drains first: a relay in a fleet (one with a store) with a drain-timeout, or one that
     * runs alone with a drain-timeout (it then refuses new allocations with 508 while its calls end).
     */
    public boolean drainsOnStop() {
        return fleet.map(RelayMembership::drainsOnStop).orElse(false);
    }

    /** Starts draining the relay for at most its drain-timeout; {@link #drained()} completes when it is done. */
    public void drain(String why) {
        fleet.ifPresent(f -> f.drain(f.drainTimeout(), why));
    }

    /** Completes when the relay has drained (asked to through the store, or by {@link #drain}): time to stop. */
    public java.util.concurrent.CompletableFuture<Void> drained() {
        return drained;
    }

    /** The relay's id in the fleet, when it is in one. */
    public Optional<String> relayId() {
        return fleet.map(RelayMembership::id);
    }

    public Optional<SignalingServer> signaling() {
        return signaling;
    }

    public Optional<RelayServer> relay() {
        return relay;
    }

    /** The relay-only {@code metrics-port} listener's address, when configured. */
    public Optional<InetSocketAddress> metricsAddress() {
        return metrics.map(MetricsListener::address);
    }

    private static String describe(String transport, List<InetSocketAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            String host = io.netty.util.NetUtil.toAddressString(a.getAddress());
            out.add(host.contains(":") ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort());
        }
        return transport + " " + String.join(" ", out);
    }

    public DataDirectory dataDirectory() {
        return dataDir;
    }

    public String startupLine() {
        return startupLine;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("shutting down");
        certificateCheck.shutdownNow();
        daemonFile.ifPresent(DaemonFile::delete);
        metrics.ifPresent(Daemon::closeQuietly);
        fleet.ifPresent(Daemon::closeQuietly);
        signaling.ifPresent(Daemon::closeQuietly);
        relay.ifPresent(Daemon::closeQuietly);
        store.ifPresent(Daemon::closeQuietly);
        LOG.info("stopped");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
