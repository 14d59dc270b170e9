package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import java.nio.file.Path;
import java.time.Duration;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** The zero-setup store, through the real reactive driver: persistence, unique indexes, the file lock. */
class EmbeddedStoreTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private Config config() {
        return Config.defaults().with(ConfigKeys.DATA_DIR, tmp);
    }

    @Test
    void dataSurvivesARestartAndUniqueIndexesHold() {
        DataDirectory dir = DataDirectory.open(tmp);
        try (Store store = Store.open(config(), dir)) {
            assertTrue(store.isEmbedded());
            store.ping(T).block(T);
            var users = store.database().getCollection("users");
            Mono.from(users.createIndex(Indexes.ascending("email"), new IndexOptions().unique(true))).block(T);
            Mono.from(users.insertOne(new Document("_id", "u1").append("email", "a@x"))).block(T);
            MongoWriteException dup = assertThrows(MongoWriteException.class,
                    () -> Mono.from(users.insertOne(new Document("_id", "u2").append("email", "a@x"))).block(T));
            assertEquals(ErrorCategory.DUPLICATE_KEY, dup.getError().getCategory());
        }
        try (Store store = Store.open(config(), DataDirectory.open(tmp))) {
            Document found = Mono.from(store.database().getCollection("users").find(new Document("_id", "u1"))
                    .first()).block(T);
            assertEquals("a@x", found.getString("email"));
        }
    }

    @Test
    void aRemoteStoreIsWrittenWithAMajorityJournaledWriteConcernUnlessTheUriSaysOtherwise() {
        try (EmbeddedStore server = EmbeddedStore.start(tmp.resolve("remote.mv.db"))) {
            Config remote = config().with(ConfigKeys.MONGO_URI, server.connectionString());
            try (Store store = Store.open(remote, DataDirectory.open(tmp.resolve("a")))) {
                assertEquals(com.mongodb.WriteConcern.MAJORITY.withJournal(true), store.database().getWriteConcern());
                // The wire server takes it: a write under it is acknowledged.
                Mono.from(store.database().getCollection("c").insertOne(new Document("_id", 1))).block(T);
            }
            Config own = config().with(ConfigKeys.MONGO_URI, server.connectionString() + "/?w=1&journal=false");
            try (Store store = Store.open(own, DataDirectory.open(tmp.resolve("b")))) {
                assertEquals(com.mongodb.WriteConcern.W1.withJournal(false), store.database().getWriteConcern());
            }
        }
    }

    @Test
    void aSecondStoreOnTheSameFileIsRefusedClearly() {
        DataDirectory dir = DataDirectory.open(tmp);
        try (Store first = Store.open(config(), dir)) {
            StoreException e = assertThrows(StoreException.class, () -> Store.open(config(), dir));
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
        }
    }
}
