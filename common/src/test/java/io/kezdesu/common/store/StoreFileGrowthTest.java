package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bson.Document;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The embedded store's file under steady writes: it used to grow by ~17 KB a write and never shrink (90 MB after
 * 5,000 writes of 200 documents of 1 KB, 680 MB after 40,000), filling the disk of a long-running server. Then,
 * with each replaced chunk kept for a second, it held a second's worth of writes: a faster disk made a larger file.
 */
class StoreFileGrowthTest {

    private static final int DOCUMENTS = 200;
    private static final String PAD = "x".repeat(1000);

    @Test
    void steadyRewritesKeepTheFileNearItsLiveDataAndLoseNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.mv.db");
        int writes = 6 * DurableH2Backend.MAINTAIN_EVERY;
        try (EmbeddedStore store = EmbeddedStore.start(file);
             MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> c = client.getDatabase("kezdesu").getCollection("docs");
            for (int i = 0; i < writes; i++) {
                String id = "d" + (i % DOCUMENTS);
                Mono.from(c.replaceOne(new Document("_id", id), new Document("_id", id).append("n", i)
                        .append("pad", PAD), new ReplaceOptions().upsert(true))).block();
            }
        }
        long size = Files.size(file);
        // ~200 KB of live documents: ~2 MiB here; ~100 MB when no replaced chunk was reused, and 18-34 MiB when
        // each was kept for a second, as many as the disk could write in that second.
        assertTrue(size < 8L << 20, "store file " + (size >> 20) + " MiB after " + writes + " writes");
        try (EmbeddedStore store = EmbeddedStore.start(file);
             MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> c = client.getDatabase("kezdesu").getCollection("docs");
            var docs = Flux.from(c.find()).collectList().block();
            assertEquals(DOCUMENTS, docs.size());
            for (Document d : docs) {
                int k = Integer.parseInt(d.getString("_id").substring(1));
                assertEquals(writes - DOCUMENTS + k, d.getInteger("n"), "the last write of " + d.get("_id"));
            }
        }
    }

    @Test
    void aFileLeftLargeIsCompactedWhenOpenedWithItsDataIntact(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.mv.db");
        // As MVStore's defaults left it: 45 s before a replaced chunk's space is reused, a chunk per commit.
        try (MVStore old = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open()) {
            MVMap<Integer, String> map = old.openMap("kept");
            for (int i = 0; Files.size(file) < 48L << 20; i++) {
                map.put(i % 100, PAD + i);
                old.commit();
            }
        }
        long before = Files.size(file);
        try (EmbeddedStore store = EmbeddedStore.start(file)) {
            assertTrue(Files.size(file) < before / 4, (before >> 20) + " MiB -> " + (Files.size(file) >> 20));
        }
        try (MVStore reopened = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            MVMap<Integer, String> map = reopened.openMap("kept");
            assertEquals(100, map.size());
            assertTrue(map.get(0).startsWith(PAD));
        }
    }
}
