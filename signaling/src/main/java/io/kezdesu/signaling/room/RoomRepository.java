package io.kezdesu.signaling.room;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code rooms} collection. */
public final class RoomRepository {

    private final MongoCollection<Document> rooms;

    public RoomRepository(MongoDatabase db) {
        this.rooms = db.getCollection("rooms");
    }

    public Mono<Void> ensureIndexes() {
        return Mono.from(rooms.createIndex(Indexes.ascending("headId"), new IndexOptions().name("head")))
                .then(Mono.from(rooms.createIndex(Indexes.ascending("moderators"),
                        new IndexOptions().name("moderators"))))
                .then();
    }

    public Mono<Room> insert(Room room) {
        return Mono.from(rooms.insertOne(room.toDocument())).thenReturn(room);
    }

    public Mono<Room> findById(String id) {
        return Mono.from(rooms.find(Filters.eq("_id", id)).first()).map(Room::fromDocument);
    }

    /** Rooms the user heads or moderates (closed ones too when asked: their reports stay readable), newest first. */
    public Flux<Room> managedBy(String userId, boolean includeClosed) {
        Bson mine = Filters.or(Filters.eq("headId", userId), Filters.eq("moderators", userId));
        return Flux.from(rooms.find(includeClosed ? mine : Filters.and(Filters.eq("closed", false), mine))
                .sort(Sorts.descending("createdAt"))).map(Room::fromDocument);
    }

    /** How many open rooms the user heads. */
    public Mono<Long> countOpenHeadedBy(String userId) {
        return Mono.from(rooms.countDocuments(Filters.and(Filters.eq("headId", userId), Filters.eq("closed", false))));
    }

    public Flux<Room> all(int limit, boolean includeClosed) {
        Bson filter = includeClosed ? new Document() : Filters.eq("closed", false);
        return Flux.from(rooms.find(filter).sort(Sorts.descending("createdAt")).limit(limit)).map(Room::fromDocument);
    }

    /**
     * Applies an update to a room that is not closed, in one step with the check (a close in between cannot be
     * overwritten); empty when there is no such open room.
     */
    public Mono<Room> updateOpen(String id, Bson update) {
        return Mono.from(rooms.findOneAndUpdate(Filters.and(Filters.eq("_id", id), Filters.ne("closed", true)), update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(Room::fromDocument);
    }

    /** Applies an update and returns the room as stored afterwards; empty when there is no such room. */
    public Mono<Room> update(String id, Bson update) {
        return Mono.from(rooms.findOneAndUpdate(Filters.eq("_id", id), update,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(Room::fromDocument);
    }
}
