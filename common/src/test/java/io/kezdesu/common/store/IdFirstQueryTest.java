package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Filters that name an {@code _id} and more are answered from the {@code _id} index by the embedded store
 * ({@link IdFirstH2Database}), with the same results as a scan: through the real driver, before and after a restart.
 */
class IdFirstQueryTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void filtersWithAnIdAndMoreFindWhatAScanWouldAndWritesKeepTheirConditions() {
        try (Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, tmp), DataDirectory.open(tmp))) {
            MongoCollection<Document> c = store.database().getCollection("conferences");
            Flux.from(c.insertMany(List.of(new Document("_id", "c1").append("node", "a").append("n", 1),
                    new Document("_id", "c2").append("node", "b").append("n", 2),
                    new Document("_id", "c3").append("node", "a").append("n", 3)))).blockLast(T);
            assertFinds(c);

            // A conditional replace lands only while the condition holds; an upsert then collides with the _id.
            Mono.from(c.replaceOne(Filters.and(Filters.eq("_id", "c1"), Filters.eq("node", "a")),
                    new Document("_id", "c1").append("node", "a").append("n", 10), new ReplaceOptions().upsert(true)))
                    .block(T);
            assertEquals(10, one(c, Filters.eq("_id", "c1")).getInteger("n"));
            MongoWriteException taken = assertThrows(MongoWriteException.class, () -> Mono.from(c.replaceOne(
                    Filters.and(Filters.eq("_id", "c2"), Filters.eq("node", "a")),
                    new Document("_id", "c2").append("node", "a"), new ReplaceOptions().upsert(true))).block(T));
            assertEquals(ErrorCategory.DUPLICATE_KEY, taken.getError().getCategory());
            assertEquals("b", one(c, Filters.eq("_id", "c2")).getString("node"), "another node's record untouched");

            // A take with alternatives, and one whose condition fails.
            Document took = Mono.from(c.findOneAndUpdate(Filters.and(Filters.eq("_id", "c3"),
                    Filters.or(Filters.eq("node", "z"), Filters.eq("node", "a"))), Updates.set("node", "me"),
                    new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).block(T);
            assertEquals("me", took.getString("node"));
            assertNull(Mono.from(c.findOneAndUpdate(Filters.and(Filters.eq("_id", "c2"), Filters.eq("node", "a")),
                    Updates.set("node", "me"))).block(T));
            assertEquals("b", one(c, Filters.eq("_id", "c2")).getString("node"));
            Mono.from(c.deleteOne(Filters.and(Filters.eq("_id", "c3"), Filters.eq("node", "a")))).block(T);
            assertEquals(3L, Mono.from(c.countDocuments()).block(T), "the condition no longer held: nothing deleted");
            Mono.from(c.deleteOne(new Document("_id", "c3").append("node", "me"))).block(T);
            assertEquals(2L, Mono.from(c.countDocuments()).block(T));
        }
        // Reopened, the collections answer the same way.
        try (Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, tmp), DataDirectory.open(tmp))) {
            MongoCollection<Document> c = store.database().getCollection("conferences");
            assertEquals(10, one(c, new Document("_id", "c1").append("node", "a")).getInteger("n"));
            assertNull(one(c, new Document("_id", "c1").append("node", "b")));
        }
    }

    private static void assertFinds(MongoCollection<Document> c) {
        assertEquals(List.of("c1"), ids(c, Filters.and(Filters.eq("_id", "c1"), Filters.eq("node", "a"))));
        assertEquals(List.of(), ids(c, Filters.and(Filters.eq("_id", "c1"), Filters.eq("node", "b"))));
        assertEquals(List.of("c2"), ids(c, new Document("_id", "c2").append("node", "b")));
        assertEquals(List.of(), ids(c, new Document("_id", "nobody").append("node", "a")));
        assertEquals(List.of("c3"), ids(c, Filters.and(Filters.eq("_id", "c3"), Filters.gte("n", 3))));
        // Not an equality on _id: these stay with mongo-java-server's own matching.
        assertEquals(List.of("c1"), ids(c, Filters.and(Filters.in("_id", "c1", "c2"), Filters.eq("node", "a"))));
        assertEquals(List.of("c1", "c3"), ids(c, Filters.and(Filters.regex("_id", "^c[13]"), Filters.eq("node", "a"))));
        assertEquals(List.of("c2"), ids(c, Filters.and(Filters.ne("_id", "c1"), Filters.eq("node", "b"))));
    }

    private static List<String> ids(MongoCollection<Document> c, Bson filter) {
        return Flux.from(c.find(filter).sort(new Document("_id", 1))).map(d -> d.getString("_id")).collectList()
                .block(T);
    }

    private static Document one(MongoCollection<Document> c, Bson filter) {
        return Mono.from(c.find(filter).first()).block(T);
    }

    @Test
    void onlyAnEqualityOnIdBesideOtherConditionsIsLookedUp() {
        var idOf = (java.util.function.Function<de.bwaldvogel.mongo.bson.Document, Object>)
                IdFirstH2Database.IdFirstCollection::idOf;
        assertEquals("x", idOf.apply(doc("_id", "x", "node", "a")));
        assertEquals("x", idOf.apply(doc("$and", List.of(doc("_id", "x"), doc("node", "a")))));
        assertNull(idOf.apply(doc("_id", "x")), "mongo-java-server looks this one up itself");
        assertNull(idOf.apply(doc("_id", doc("$in", List.of("x")), "node", "a")));
        assertNull(idOf.apply(doc("_id", null, "node", "a")));
        assertNull(idOf.apply(doc("node", "a", "n", 1)));
        assertNull(idOf.apply(doc("$and", List.of(doc("_id", doc("$ne", "x")), doc("node", "a")))));
    }

    private static de.bwaldvogel.mongo.bson.Document doc(Object... kv) {
        de.bwaldvogel.mongo.bson.Document d = new de.bwaldvogel.mongo.bson.Document();
        for (int i = 0; i < kv.length; i += 2) {
            d.put((String) kv[i], kv[i + 1]);
        }
        return d;
    }
}
