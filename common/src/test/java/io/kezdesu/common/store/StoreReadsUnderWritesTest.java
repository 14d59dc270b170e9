package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The embedded store reuses a replaced chunk's space as soon as no command still reads the version that needed it.
 * Here full scans of a collection larger than the page cache (so they read pages from the file) run while every
 * write replaces chunks: a scan that read a page from space reused under it would fail or come back short. (Today
 * mongo-java-server also locks a collection for each command, which keeps a scan's pages live on its own; the
 * backend's pin is what keeps this true if that lock goes or narrows.)
 */
class StoreReadsUnderWritesTest {

    private static final int DOCUMENTS = 24_000;
    private static final String PAD = "y".repeat(1000);

    @Test
    void fullScansDuringSteadyRewritesReadEveryDocument(@TempDir Path dir) throws Exception {
        // A page cache of 1 MiB for ~30 MiB of documents: scans read their pages from the file.
        MongoServer server = new MongoServer(new DurableH2Backend(dir.resolve("store.mv.db").toString(), 1));
        var address = server.bind();
        try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + address.getPort())) {
            MongoCollection<Document> c = client.getDatabase("kezdesu").getCollection("docs");
            for (int batch = 0; batch < DOCUMENTS / 1000; batch++) {
                List<Document> docs = new ArrayList<>();
                for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
                    docs.add(new Document("_id", i).append("n", 0).append("pad", PAD + i));
                }
                Mono.from(c.insertMany(docs)).block();
            }
            AtomicBoolean scanning = new AtomicBoolean(true);
            AtomicInteger rewrites = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (scanning.get()) {
                    int id = ThreadLocalRandom.current().nextInt(DOCUMENTS);
                    Mono.from(c.replaceOne(new Document("_id", id), new Document("_id", id)
                            .append("n", rewrites.incrementAndGet()).append("pad", PAD + id),
                            new ReplaceOptions().upsert(true))).block();
                }
            }, "rewriter");
            writer.start();
            try {
                for (int scan = 0; scan < 4; scan++) {
                    List<Document> all = Flux.from(c.find().batchSize(500)).collectList().block();
                    assertEquals(DOCUMENTS, all.size(), "documents in scan " + scan);
                    for (Document d : all) {
                        assertEquals(PAD + d.getInteger("_id"), d.getString("pad"));
                    }
                }
            } finally {
                scanning.set(false);
                writer.join();
            }
            assertTrue(rewrites.get() > 0, "no write ran during the scans");
        } finally {
            server.shutdown();
        }
    }
}
