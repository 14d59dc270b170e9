package io.kezdesu.cli;

import io.kezdesu.cli.support.VersionProvider;
import io.kezdesu.cli.support.CliException;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;

import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.store.EmbeddedStore;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kezdesu store}: the embedded store alone, so that several kezdesu processes on one machine (a relay and
 * signaling apart, tests, a small cluster) share it without MongoDB. Prints its URI on standard output once it
 * listens; serves until SIGTERM or SIGINT, then commits and exits 0.
 */
@Command(name = "store", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the embedded store alone, for kezdesu processes on this machine to share "
                + "(--mongo-uri with the URI it prints). It listens on 127.0.0.1 only and serves only processes of "
                + "its own user: it has no passwords. For several machines, use a MongoDB replica set.",
            "Exit status 0 after SIGTERM/SIGINT, 1 when it cannot open its file or port, 2 for a usage error."})
final class StoreCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "directory of the store file " + Store.EMBEDDED_FILE + " (default: the daemon's, "
                    + "${DEFAULT-VALUE})")
    Path dataDir = Config.defaults().get(ConfigKeys.DATA_DIR);

    @Option(names = "--port", paramLabel = "P", defaultValue = "27017",
            description = "TCP port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE})")
    String logLevel;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new CliException("store: --port " + port + " (expected: a port number in [0, 65535])", Main.USAGE);
        }
        ConfigKeys.LogLevel level;
        try {
            level = ConfigKeys.LogLevel.valueOf(logLevel.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException("store: --log-level " + logLevel
                    + " (expected: error, warn, info, debug or trace)", Main.USAGE);
        }
        Logging.configure(level);
        DataDirectory dir;
        EmbeddedStore store;
        try {
            dir = DataDirectory.open(dataDir);
            store = EmbeddedStore.start(dir.resolve(Store.EMBEDDED_FILE), port);
        } catch (StoreException e) {
            throw new CliException("store: " + e.getMessage(), Main.FAILURE);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        PrintWriter out = spec.commandLine().getOut();
        out.println(store.connectionString());
        out.flush();
        stop.await();
        store.close();
        return Main.OK;
    }
}
