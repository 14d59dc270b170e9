package io.kezdesu.cli;

import io.kezdesu.cli.support.VersionProvider;
import io.kezdesu.cli.daemon.Daemon;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigException;
import io.kezdesu.common.config.ConfigKeys;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs a daemon in the foreground until SIGTERM or SIGINT, then shuts it down in order and exits 0. A watchdog
 * makes sure the process is gone within {@value #STOP_LIMIT_MS} ms of the signal, whatever hangs.
 */
abstract class DaemonCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonCommand.class);
    private static final long STOP_LIMIT_MS = 9_500;

    private final Map<String, String> env;
    private final Daemon.Mode mode;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    DaemonCommand(Map<String, String> env, Daemon.Mode mode) {
        this.env = env;
        this.mode = mode;
    }

    @Override
    public Integer call() throws InterruptedException {
        Config config = ConfigOptions.load(spec.commandLine().getParseResult(), env);
        Logging.configure(config.get(ConfigKeys.LOG_LEVEL));
        // The signals are ours before the daemon starts: one that comes while it starts (it writes daemon.json and
        // prints its ready line before the start returns) would otherwise get the JVM's default, exit status 143
        // without an orderly stop (a SIGHUP: the JVM ends).
        CountDownLatch stop = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Daemon> running =
                new java.util.concurrent.atomic.AtomicReference<>();
        // A relay with a drain-timeout drains on the first SIGTERM (new allocations go elsewhere, calls end in
        // peace) and stops when it is done; a second signal stops it at once.
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        Signals.onTermination(() -> {
            Daemon d = running.get();
            if (!signalled.getAndSet(true) && d != null && d.drainsOnStop()) {
                LOG.info("draining before stopping (a second SIGTERM or SIGINT stops at once)");
                d.drain("stop signal");
            } else {
                if (d == null) {
                    // A start can wait (for the store, for an old node to go): the watchdog bounds that wait too.
                    LOG.info("stop signal while starting: stopping once started");
                    watchdog();
                }
                stop.countDown();
            }
        });
        Signals.onReload(() -> {
            Daemon d = running.get();
            if (d == null) {
                LOG.info("SIGHUP while starting: the certificate is being read now");
                return;
            }
            LOG.info(d.reloadCertificates(true) ? "SIGHUP: certificate reloaded" : "SIGHUP: no certificate reloaded");
        });
        Daemon daemon;
        try {
            daemon = Daemon.start(config, mode, VersionProvider.version());
        } catch (IllegalArgumentException e) {
            // What only a start can find out about a value (a tls-cert that is no certificate) the servers refuse
            // as "key: value (expected: …)"; it is a configuration error like those config check finds (exit 2).
            throw new ConfigException(List.of(e.getMessage()));
        }
        running.set(daemon);
        daemon.drained().thenRun(stop::countDown);
        stop.await();
        watchdog();
        daemon.close();
        return Main.OK;
    }

    private final java.util.concurrent.atomic.AtomicBoolean watched = new java.util.concurrent.atomic.AtomicBoolean();

    /** From the first stop request on (once): the process is gone {@value #STOP_LIMIT_MS} ms later at the latest. */
    private void watchdog() {
        if (watched.getAndSet(true)) {
            return;
        }
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(STOP_LIMIT_MS);
                LOG.error("shutdown took longer than {} ms; exiting anyway", STOP_LIMIT_MS);
                Runtime.getRuntime().halt(Main.OK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kezdesu-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Run signaling (HTTP/WebSocket) and the STUN/TURN relay in one process.")
    static final class Serve extends DaemonCommand {
        Serve(Map<String, String> env) {
            super(env, Daemon.Mode.ALL);
        }
    }

    @Command(name = "signaling", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Run only the signaling server (HTTP API, WebSocket, web client).")
    static final class SignalingOnly extends DaemonCommand {
        SignalingOnly(Map<String, String> env) {
            super(env, Daemon.Mode.SIGNALING);
        }
    }

    @Command(name = "relay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Run only the STUN/TURN relay (with --mongo-uri, as a member of the relay fleet on that "
                    + "store); `kezdesu relay list` lists the fleet, `kezdesu relay drain ID` drains one.")
    static final class RelayOnly extends DaemonCommand {
        RelayOnly(Map<String, String> env) {
            super(env, Daemon.Mode.RELAY);
        }
    }
}
