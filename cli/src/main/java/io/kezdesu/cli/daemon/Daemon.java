package io.kezdesu.cli.daemon;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.tls.TlsFiles;
import io.kezdesu.signaling.SignalingConfig;
import io.kezdesu.signaling.SignalingServer;
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
    private final List<AutoCloseable> relay;
    private final Optional<DaemonFile> daemonFile;
    private final String startupLine;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Daemon(DataDirectory dataDir, Optional<Store> store, Optional<SignalingServer> signaling,
                   List<AutoCloseable> relay, Optional<DaemonFile> daemonFile, String startupLine) {
        this.dataDir = dataDir;
        this.store = store;
        this.signaling = signaling;
        this.relay = relay;
        this.daemonFile = daemonFile;
        this.startupLine = startupLine;
    }

    public static Daemon start(Config config, Mode mode, String version) {
        DataDirectory dir = DataDirectory.open(config.get(ConfigKeys.DATA_DIR));
        Secrets secrets = Secrets.resolve(config, dir);
        Optional<TlsFiles> tls = TlsFiles.resolve(config, dir);
        List<AutoCloseable> started = new ArrayList<>();
        Optional<Store> store = Optional.empty();
        Optional<SignalingServer> signaling = Optional.empty();
        List<String> parts = new ArrayList<>();
        try {
            if (mode != Mode.RELAY) {
                Store s = Store.open(config, dir);
                store = Optional.of(s);
                started.add(s);
                SignalingServer server = SignalingServer.start(SignalingConfig.from(config, secrets, tls, Optional.empty()), s);
                signaling = Optional.of(server);
                started.add(server);
                parts.add((server.isTls() ? "https " : "http ") + server.url());
            }
            Optional<DaemonFile> file = signaling.map(s -> DaemonFile.write(dir, s));
            parts.add("data-dir " + dir.root());
            store.ifPresent(s -> parts.add("store " + s.description()));
            String line = "kezdesu " + version + " " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " ready: " + String.join(" | ", parts);
            LOG.info(line);
            return new Daemon(dir, store, signaling, List.of(), file, line);
        } catch (RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            throw e;
        }
    }

    public Optional<SignalingServer> signaling() {
        return signaling;
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
        daemonFile.ifPresent(DaemonFile::delete);
        signaling.ifPresent(Daemon::closeQuietly);
        relay.forEach(Daemon::closeQuietly);
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
