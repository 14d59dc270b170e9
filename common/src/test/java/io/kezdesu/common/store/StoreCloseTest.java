package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Closing the embedded store after a command let go of the version it read while another thread held the MVStore's
 * store lock. MVStore then skips recomputing the oldest version in use (it only tries the lock), and when nothing
 * else changes before the close, its close finds that stale value. With assertions on (as in these tests, and in H2's
 * own) that close failed with "129 != 130" in one CI run; without them the close went on with a stale bound. The
 * interleaving is produced here for real, with the store's own lock held by a second thread.
 */
class StoreCloseTest {

    @Test
    void closesCleanlyAfterAReadEndedDuringAnotherThreadsStoreOperation(@TempDir Path dir) throws Exception {
        assertTrue(MVStore.class.desiredAssertionStatus(), "H2's own assertions are on in this test run");
        Path file = dir.resolve("store.mv.db");
        DurableH2Backend backend = new DurableH2Backend(file.toString());
        MongoServer server = new MongoServer(backend);
        var address = server.bind();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
            var docs = client.getDatabase("kezdesu").getCollection("docs");
            Mono.from(docs.insertOne(new Document("_id", "a").append("n", 1))).block();

            MVStore mv = backend.getMvStore();
            // A reader pins the current version, as every command does...
            MVStore.TxCounter read = mv.registerVersionUsage();
            // ...a write commits a new version meanwhile...
            Mono.from(docs.insertOne(new Document("_id", "b").append("n", 2))).block();
            // ...and the reader lets go while another thread is inside a store operation.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = new Thread(() -> mv.executeFilestoreOperation(() -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }), "store-lock-holder");
            holder.start();
            assertTrue(holding.await(30, TimeUnit.SECONDS), "the other thread holds the store lock");
            mv.deregisterVersionUsage(read);
            release.countDown();
            holder.join(30_000);
        }
        server.shutdown();   // closes the backend; it threw an AssertionError here before the fix

        MongoServer again = new MongoServer(new DurableH2Backend(file.toString()));
        var reopened = again.bind();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + reopened.getPort())) {
            var docs = client.getDatabase("kezdesu").getCollection("docs");
            assertEquals(2L, Mono.from(docs.countDocuments()).block(), "both writes survived the close");
        } finally {
            again.shutdown();
        }
    }
}
