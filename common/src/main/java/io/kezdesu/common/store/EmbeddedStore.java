package io.kezdesu.common.store;

import de.bwaldvogel.mongo.MongoServer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-setup store: an in-process MongoDB-wire server (mongo-java-server, H2 MVStore backend, one file in the
 * data directory) bound to a loopback port, so that the daemon talks to it with the same driver and code path as to
 * a real MongoDB. Its known limits: TTL indexes never expire and sessions/transactions are refused, so no code may
 * depend on either for correctness.
 */
public final class EmbeddedStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    private final MongoServer server;
    private final InetSocketAddress address;
    private final Path file;

    private EmbeddedStore(MongoServer server, InetSocketAddress address, Path file) {
        this.server = server;
        this.address = address;
        this.file = file;
    }

    /** Opens (or creates) the store file and listens on 127.0.0.1 on a free port. */
    public static EmbeddedStore start(Path file) {
        return start(file, 0);
    }

    /**
     * Opens (or creates) the store file and listens on 127.0.0.1 on {@code port} (0: a free one). Only loopback:
     * the store knows no passwords, and who is on the other end of a connection can only be checked on this host.
     */
    public static EmbeddedStore start(Path file, int port) {
        DurableH2Backend backend;
        try {
            backend = new DurableH2Backend(file.toString());
        } catch (RuntimeException e) {
            String reason = String.valueOf(e.getMessage());
            if (reason.contains("locked")) {
                throw new StoreException("embedded store " + file
                        + " is in use by another process (is another kezdesu running with this data-dir?)", e);
            }
            throw new StoreException("cannot open embedded store " + file + ": " + reason, e);
        }
        MongoServer server = new MongoServer(backend);
        try {
            server.bind("127.0.0.1", port);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw new StoreException("cannot bind embedded store on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        restrictToOwner(file);
        InetSocketAddress address = server.getLocalAddress();
        LOG.debug("embedded store {} listening on {}", file, address);
        return new EmbeddedStore(server, address, file);
    }

    private static void restrictToOwner(Path file) {
        try {
            java.nio.file.Files.setPosixFilePermissions(file,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            LOG.warn("cannot restrict permissions of {}: {}", file, e.toString());
        }
    }

    public String connectionString() {
        return "mongodb://127.0.0.1:" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public Path file() {
        return file;
    }

    /** Stops listening and closes the backend, which commits the MVStore so that nothing acknowledged is lost. */
    @Override
    public void close() {
        server.shutdown();
    }
}
