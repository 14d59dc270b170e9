package io.kezdesu.cli.daemon;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/** The accounts contract once more, with {@code mongo-uri} pointing at a separately started MongoDB-wire server. */
class ExternalMongoAccountsTest extends AccountsApiContract {

    private MongoServer mongo;

    @Override
    Map<String, String> storeSettings() {
        mongo = new MongoServer(H2Backend.inMemory());
        InetSocketAddress a = mongo.bind();
        return Map.of("mongo-uri", "mongodb://" + a.getHostString() + ":" + a.getPort(), "mongo-database",
                "accounts_test");
    }

    @AfterAll
    void stopMongo() {
        mongo.shutdownNow();
    }

    @org.junit.jupiter.api.Test
    void theDaemonUsesTheConfiguredServerNotTheEmbeddedOne() {
        org.junit.jupiter.api.Assertions.assertFalse(
                java.nio.file.Files.exists(dataDir.resolve(io.kezdesu.common.store.Store.EMBEDDED_FILE)));
        org.junit.jupiter.api.Assertions.assertTrue(server.daemon().startupLine().contains("store MongoDB "),
                server.daemon().startupLine());
    }
}
