package io.kezdesu.signaling.room;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code rooms} collection, and the only code that changes a stored room: each kind of change (ban, head,
 * moderators, lock, settings, close) is one method here, so the rules of a change (who stays a moderator when the
 * head is handed over) live in one place whoever asks for it, the API or a moderator in the room.
 */
public final class RoomRepository {

    private final MongoCollection<Document> rooms;
    private final java.time.Clock clock;

    public RoomRepository(MongoDatabase db) {
        this(db, java.time.Clock.systemUTC());
    }

    public RoomRepository(MongoDatabase db, java.time.Clock clock) {
        this(db, clock, RoomChanges.NONE);
    }

    /** {@code changes} hears of every change the store took (webhooks). */
    public RoomRepository(MongoDatabase db, java.time.Clock clock, RoomChanges changes) {
        this.rooms = db.getCollection("rooms");
        this.clock = clock;
        this.changes = changes;
    }

    private final RoomChanges changes;

    public Mono<Void> ensureIndexes() {
        return Mono.from(rooms.createIndex(Indexes.ascending("headId"), new IndexOptions().name("head")))
                .then(Mono.from(rooms.createIndex(Indexes.ascending("moderators"),
                        new IndexOptions().name("moderators"))))
                .then();
    }

    public Mono<Room> insert(Room room) {
        return Mono.from(rooms.insertOne(room.toDocument())).thenReturn(room)
                .doOnNext(r -> changes.changed("room.created", r));
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

    // --- writes: every change of a stored room goes through one of these ----------------------------------------
    // Each raises the room's version, so that a live room never takes an older answer for a newer one, and stamps
    // updatedAt. Each answers the room as stored afterwards, or empty when there is no such room (open, where that
    // is asked).

    /** Bans a user from an open room for good. */
    public Mono<Room> ban(String id, String userId) {
        // Not a room.updated: the participant.kicked of the kick that goes with it says it.
        return writeOpen(Filters.eq("_id", id), Updates.addToSet("banned", userId), null);
    }

    /** Makes a user a moderator of an open room. */
    public Mono<Room> addModerator(String id, String userId) {
        return writeOpen(Filters.eq("_id", id), Updates.addToSet("moderators", userId));
    }

    /** Takes a user's moderator role in an open room away. */
    public Mono<Room> removeModerator(String id, String userId) {
        return writeOpen(Filters.eq("_id", id), Updates.pull("moderators", userId));
    }

    /**
     * Hands an open room from its head {@code currentHead} to {@code newHead}: the old head stays a moderator, the
     * new one is no longer listed as one. Empty when the room is closed, missing, or no longer headed by
     * {@code currentHead} (someone else handed it over first).
     *
     * <p>Two writes, since one update cannot both add to and take from {@code moderators}: the first (head and the old
     * head's moderator role, conditional on the head) decides; the second only tidies the list, and a room left
     * between them is correct already, the head's role outranking the list.
     */
    public Mono<Room> setHead(String id, String currentHead, String newHead) {
        if (currentHead.equals(newHead)) {
            return writeOpen(Filters.and(Filters.eq("_id", id), Filters.eq("headId", newHead)),
                    Updates.pull("moderators", newHead));
        }
        return writeOpen(Filters.and(Filters.eq("_id", id), Filters.eq("headId", currentHead)),
                Updates.combine(Updates.set("headId", newHead), Updates.addToSet("moderators", currentHead)))
                .flatMap(room -> !room.moderators().contains(newHead) ? Mono.just(room)
                        : writeOpen(Filters.and(Filters.eq("_id", id), Filters.eq("headId", newHead)),
                                Updates.pull("moderators", newHead)).defaultIfEmpty(room));
    }

    /** Locks or unlocks an open room. */
    public Mono<Room> setLocked(String id, boolean locked) {
        return writeOpen(Filters.eq("_id", id), Updates.set("locked", locked));
    }

    /**
     * Changes an open room's settings; an empty field stays as it is ({@code passwordHash} of empty clears the
     * password).
     */
    public Mono<Room> updateSettings(String id, java.util.Optional<String> name,
                                     java.util.Optional<Integer> maxParticipants, java.util.Optional<Boolean> locked,
                                     java.util.Optional<Boolean> lobby,
                                     java.util.Optional<java.util.Optional<String>> passwordHash) {
        return updateSettings(id, name, maxParticipants, locked, lobby, passwordHash, Regulation.Change.NONE);
    }

    /** The same, with the regulation's fields (each absent: unchanged; empty: cleared). */
    public Mono<Room> updateSettings(String id, java.util.Optional<String> name,
                                     java.util.Optional<Integer> maxParticipants, java.util.Optional<Boolean> locked,
                                     java.util.Optional<Boolean> lobby,
                                     java.util.Optional<java.util.Optional<String>> passwordHash,
                                     Regulation.Change regulation) {
        java.util.List<Bson> sets = new java.util.ArrayList<>();
        regulation.notBefore().ifPresent(t -> sets.add(Updates.set("notBefore",
                t.map(java.util.Date::from).orElse(null))));
        regulation.notAfter().ifPresent(t -> sets.add(Updates.set("notAfter",
                t.map(java.util.Date::from).orElse(null))));
        regulation.maxDurationMinutes().ifPresent(m -> sets.add(Updates.set("maxDurationMinutes", m.orElse(null))));
        name.ifPresent(n -> sets.add(Updates.set("name", n)));
        maxParticipants.ifPresent(n -> sets.add(Updates.set("maxParticipants", n)));
        locked.ifPresent(b -> sets.add(Updates.set("locked", b)));
        lobby.ifPresent(b -> sets.add(Updates.set("lobby", b)));
        passwordHash.ifPresent(h -> sets.add(Updates.set("passwordHash", h.orElse(null))));
        return writeOpen(Filters.eq("_id", id), Updates.combine(sets));
    }

    /** Closes a room for good (closing a closed one again changes nothing but the stamp). */
    public Mono<Room> close(String id) {
        return write(Filters.eq("_id", id), Updates.set("closed", true), "room.closed");
    }

    private Mono<Room> writeOpen(Bson filter, Bson update) {
        return writeOpen(filter, update, "room.updated");
    }

    private Mono<Room> writeOpen(Bson filter, Bson update, String event) {
        return write(Filters.and(filter, Filters.ne("closed", true)), update, event);
    }

    private Mono<Room> write(Bson filter, Bson update, String event) {
        Mono<Room> written = write(filter, update);
        return event == null ? written : written.doOnNext(r -> changes.changed(event, r));
    }

    private Mono<Room> write(Bson filter, Bson update) {
        Bson stamped = Updates.combine(update, Updates.inc("version", 1L),
                Updates.set("updatedAt", java.util.Date.from(java.time.Instant.now(clock))));
        return Mono.from(rooms.findOneAndUpdate(filter, stamped,
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(Room::fromDocument);
    }
}
