package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The hazard the backend's version pin covers: its maintenance compaction runs on a thread of its own, outside
 * mongo-java-server's per-collection lock, and moves a collection's live pages out of sparse chunks while a scan of
 * that collection still walks the old pages. Without the pin those chunks are freed at the next commit (writes to
 * another collection make some meanwhile), and the scan fails on a chunk that is gone.
 */
class StoreCompactionUnderScansTest {

    private static final int DOCUMENTS = 40_000;
    private static final String PAD = "z".repeat(1000);

    @Test
    void scansReadEveryDocumentWhileCompactionMovesTheirPages(@TempDir Path dir) throws Exception {
        // A page cache of 1 MiB for ~45 MiB of documents: a scan reads its pages from the file as it goes.
        DurableH2Backend backend = new DurableH2Backend(dir.resolve("store.mv.db").toString(), 1);
        MongoServer server = new MongoServer(backend);
        var address = server.bind();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
            MongoCollection<Document> scanned = client.getDatabase("kezdesu").getCollection("scanned");
            MongoCollection<Document> other = client.getDatabase("kezdesu").getCollection("other");
            for (int batch = 0; batch < DOCUMENTS / 1000; batch++) {
                List<Document> docs = new ArrayList<>();
                for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
                    docs.add(doc(i, 0));
                }
                Mono.from(scanned.insertMany(docs)).block();
            }
            int compactions = 0;
            for (int round = 1; round <= 3; round++) {
                // Rewrites scattered over the collection leave most of its chunks sparse: compaction moves them.
                for (int bulk = 0; bulk < 8; bulk++) {
                    List<ReplaceOneModel<Document>> rewrites = new ArrayList<>();
                    for (int k = 0; k < 1000; k++) {
                        int id = ThreadLocalRandom.current().nextInt(DOCUMENTS);
                        rewrites.add(new ReplaceOneModel<>(new Document("_id", id), doc(id, round)));
                    }
                    Mono.from(scanned.bulkWrite(rewrites)).block();
                }
                CompletableFuture<List<Document>> scan = Flux.from(scanned.find().batchSize(DOCUMENTS)).collectList()
                        .toFuture();
                // While it runs: compaction, then commits elsewhere that would reuse what it freed.
                while (!scan.isDone()) {
                    backend.compactNow();
                    compactions++;
                    int id = ThreadLocalRandom.current().nextInt(100);
                    Mono.from(other.replaceOne(new Document("_id", id), doc(id, round),
                            new ReplaceOptions().upsert(true))).block();
                }
                List<Document> all = scan.get(60, TimeUnit.SECONDS);
                assertEquals(DOCUMENTS, all.size(), "documents in scan " + round);
                for (Document d : all) {
                    assertEquals(PAD + d.getInteger("_id"), d.getString("pad"));
                }
            }
            assertTrue(compactions >= 3, "compaction ran " + compactions + " times during the scans");
        } finally {
            server.shutdown();
        }
    }

    private static Document doc(int id, int version) {
        return new Document("_id", id).append("n", version).append("pad", PAD + id);
    }
}
