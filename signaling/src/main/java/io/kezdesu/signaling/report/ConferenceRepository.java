package io.kezdesu.signaling.report;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.store.StoreErrors;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code conferences} collection: one document per conference, rewritten as it goes. */
public final class ConferenceRepository {

    private final MongoCollection<Document> conferences;
    private volatile Supplier<Mono<Function<String, Instant>>> lastHeartbeats = () -> Mono.just(node -> null);

    public ConferenceRepository(MongoDatabase db) {
        this.conferences = db.getCollection("conferences");
    }

    public Mono<Void> ensureIndexes() {
        return Mono.from(conferences.createIndex(Indexes.ascending("roomId"), new IndexOptions().name("room")))
                .then(Mono.from(conferences.createIndex(Indexes.ascending("status"), new IndexOptions()
                        .name("status"))))
                .then();
    }

    /**
     * Writes a node's own record: only while that node runs it (another node may have taken it over); false when the
     * record is another node's now.
     */
    Mono<Boolean> replaceOwn(Document doc) {
        return Mono.from(conferences.replaceOne(Filters.and(Filters.eq("_id", doc.getString("_id")),
                        Filters.eq("node", doc.getString("node"))), doc, new ReplaceOptions().upsert(true)))
                .thenReturn(true)
                .onErrorResume(StoreErrors::duplicateKey, e -> Mono.just(false));
    }

    /** Makes the room's active conference, run by another node until now, {@code node}'s; empty when there is none. */
    Mono<Document> takeOver(String roomId, String node) {
        return Mono.from(conferences.findOneAndUpdate(Filters.and(Filters.eq("roomId", roomId),
                        Filters.eq("status", "active"), Filters.ne("node", node)), Updates.set("node", node),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
    }

    /** Active conferences run by none of {@code liveNodes} (also those recorded before nodes, with none). */
    Flux<Document> activeOutside(java.util.Collection<String> liveNodes) {
        return Flux.from(conferences.find(Filters.and(Filters.eq("status", "active"),
                Filters.or(Filters.exists("node", false), Filters.eq("node", null),
                        Filters.nin("node", liveNodes)))));
    }

    /** Replaces a conference's record only while it is still active; whether it was. */
    Mono<Boolean> replaceActive(Document doc) {
        return Mono.from(conferences.replaceOne(Filters.and(Filters.eq("_id", doc.getString("_id")),
                Filters.eq("status", "active")), doc)).map(r -> r.getModifiedCount() > 0);
    }

    public Mono<Document> findById(String id) {
        return Mono.from(conferences.find(Filters.eq("_id", id)).first());
    }

    /** Newest first; {@code roomId} null lists every room's. */
    public Flux<Document> list(String roomId, int limit) {
        Bson filter = roomId == null ? new Document() : Filters.eq("roomId", roomId);
        return Flux.from(conferences.find(filter).sort(Sorts.descending("startedAt")).limit(limit));
    }

    /**
     * Where reports learn how long a live conference has run: each node's last heartbeat, by node id (null for a
     * node the store does not list). Without it a live conference's report runs to its last join or leave.
     */
    public void nodesSeen(Supplier<Mono<Function<String, Instant>>> lastHeartbeats) {
        this.lastHeartbeats = lastHeartbeats;
    }

    /** The conference for its report: a live one as of its node's last heartbeat. */
    public Mono<Document> report(String id) {
        return findById(id).flatMap(doc -> lastHeartbeats.get().map(seen -> ConferenceRecord.asOf(doc, seen)));
    }

    /** As {@link #list}, for reports: live ones as of their nodes' last heartbeats. */
    public Flux<Document> reports(String roomId, int limit) {
        return lastHeartbeats.get()
                .flatMapMany(seen -> list(roomId, limit).map(doc -> ConferenceRecord.asOf(doc, seen)));
    }
}
