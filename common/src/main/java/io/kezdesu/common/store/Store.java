package io.kezdesu.common.store;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * The MongoDB client kezdesu uses everywhere: connected to {@code mongo-uri} when configured, otherwise to an
 * {@link EmbeddedStore} in the data directory. One code path either way.
 */
public final class Store implements AutoCloseable {

    public static final String EMBEDDED_FILE = "store.mv.db";

    private final MongoClient client;
    private final MongoDatabase database;
    private final Optional<EmbeddedStore> embedded;
    private final String description;

    private Store(MongoClient client, String databaseName, Optional<EmbeddedStore> embedded, String description) {
        this.client = client;
        this.database = client.getDatabase(databaseName);
        this.embedded = embedded;
        this.description = description;
    }

    public static Store open(Config config, DataDirectory dataDir) {
        String database = config.get(ConfigKeys.MONGO_DATABASE);
        Optional<String> uri = config.find(ConfigKeys.MONGO_URI);
        if (uri.isPresent()) {
            ConnectionString cs;
            try {
                cs = new ConnectionString(uri.get());
            } catch (IllegalArgumentException e) {
                throw new StoreException("mongo-uri: <redacted> (expected: a valid MongoDB connection string)", e);
            }
            String db = cs.getDatabase() != null ? cs.getDatabase() : database;
            MongoClientSettings.Builder remote = MongoClientSettings.builder(settings(cs, REMOTE_TIMEOUT));
            if (cs.getWriteConcern() == null) {
                // Acknowledged only once a majority of a replica set has it in its journal: a write kezdesu reports
                // as done (an account, a ban, a report) survives the loss of the primary and a power cut. The URI's
                // own w= / journal= win.
                remote.writeConcern(WriteConcern.MAJORITY.withJournal(true));
            }
            return new Store(MongoClients.create(remote.build()), db, Optional.empty(),
                    "MongoDB " + String.join(",", cs.getHosts()) + "/" + db);
        }
        EmbeddedStore store = EmbeddedStore.start(dataDir.resolve(EMBEDDED_FILE));
        try {
            MongoClient client = MongoClients.create(settings(new ConnectionString(store.connectionString()),
                    EMBEDDED_TIMEOUT));
            return new Store(client, database, Optional.of(store),
                    "embedded store " + store.file() + " (" + store.connectionString() + ")");
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A remote server that does not answer within this is treated as unreachable (readiness fails fast). */
    private static final int REMOTE_TIMEOUT = 5;
    /**
     * The embedded store is in this process: it cannot be "unreachable", only busy. The driver's monitor uses the
     * connect timeout for its heartbeats and clears the whole pool when one times out, failing every operation in
     * flight; a saturated machine must slow joins down, not fail them.
     */
    private static final int EMBEDDED_TIMEOUT = 60;

    private static MongoClientSettings settings(ConnectionString cs, int timeoutSeconds) {
        return MongoClientSettings.builder()
                .applyConnectionString(cs)
                .applyToClusterSettings(b -> {
                    if (cs.getServerSelectionTimeout() == null) {
                        b.serverSelectionTimeout(timeoutSeconds, TimeUnit.SECONDS);
                    }
                })
                .applyToSocketSettings(b -> {
                    if (cs.getConnectTimeout() == null) {
                        b.connectTimeout(timeoutSeconds, TimeUnit.SECONDS);
                    }
                })
                .build();
    }

    public MongoDatabase database() {
        return database;
    }

    /** Where the data lives, without credentials; safe to log. */
    public String description() {
        return description;
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    /** Completes when the store answers a ping within the timeout; errors otherwise. */
    public Mono<Void> ping(Duration timeout) {
        return Mono.from(database.runCommand(new Document("ping", 1))).timeout(timeout).then();
    }

    @Override
    public void close() {
        client.close();
        embedded.ifPresent(EmbeddedStore::close);
    }
}
