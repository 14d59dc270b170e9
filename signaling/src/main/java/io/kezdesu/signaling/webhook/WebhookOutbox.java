package io.kezdesu.signaling.webhook;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The store's {@code webhooks} collection: one document per event and receiver, written before any attempt to deliver
 * it, so that neither a receiver that is down nor a crash of the node loses it. A document is {@code pending} until
 * its receiver takes it (2xx: {@code delivered}) or {@code webhook-retry-for} passes ({@code failed}); while a node
 * delivers it, it is claimed for a while ({@code claimUntil}), so that the nodes of a cluster do not deliver it twice
 * at once, and a node that dies mid-delivery leaves it to another after the claim.
 *
 * <p>Order: a room's events reach each receiver in the order they happened ({@code at}, then the writing node's
 * {@code seq}): only the oldest pending event of a (receiver, room) pair is ever attempted.
 */
final class WebhookOutbox {

    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";
    /** Pending events read per round of {@link #heads}. */
    static final int SCAN = 1000;
    /** The most rounds one look for heads takes. */
    static final int ROUNDS = 10;
    /**
     * Another round only while the rounds so far found at most this many pairs: a backlog in a few rooms is looked
     * past; a round of many rooms has as many heads as a pass can use (and each round's query names the pairs it
     * leaves out, so it stays short).
     */
    static final int FEW_PAIRS = 64;

    private final MongoCollection<Document> events;
    private final int scan;
    private final int fewPairs;

    WebhookOutbox(MongoDatabase db) {
        this(db, SCAN, FEW_PAIRS);
    }

    /** With rounds of {@code scan} events, and another only while at most {@code fewPairs} pairs were found. */
    WebhookOutbox(MongoDatabase db, int scan, int fewPairs) {
        this.events = db.getCollection("webhooks");
        this.scan = scan;
        this.fewPairs = fewPairs;
    }

    Mono<Void> ensureIndexes() {
        return Mono.from(events.createIndex(Indexes.ascending("status", "at", "seq"))).then();
    }

    /** One event for one receiver, as stored. */
    record Entry(String id, String receiver, String room, Instant at, long seq, String body, int attempts,
                 Instant nextAt, Instant claimUntil, Instant createdAt) {
        static Entry of(Document d) {
            return new Entry(d.getString("_id"), d.getString("receiver"), d.getString("room"),
                    d.getDate("at").toInstant(), d.getLong("seq"), d.getString("body"), d.getInteger("attempts", 0),
                    d.getDate("nextAt").toInstant(), d.getDate("claimUntil").toInstant(),
                    d.getDate("createdAt").toInstant());
        }

        Document toDocument() {
            return new Document("_id", id).append("receiver", receiver).append("room", room)
                    .append("at", Date.from(at)).append("seq", seq).append("body", body).append("attempts", attempts)
                    .append("nextAt", Date.from(nextAt)).append("claimUntil", Date.from(claimUntil))
                    .append("createdAt", Date.from(createdAt)).append("status", PENDING);
        }
    }

    /** Stores events in order (acknowledged: from then on they are not lost). */
    Mono<Void> add(List<Entry> entries) {
        return entries.isEmpty() ? Mono.empty()
                : Mono.from(events.insertMany(entries.stream().map(Entry::toDocument).toList())).then();
    }

    /**
     * The oldest pending event of each (receiver, room), whether due or not: the only ones that may be attempted.
     * Also how many events are pending.
     *
     * <p>Read in rounds of {@code scan} events, oldest first, each round leaving out the pairs found before it: a room
     * with a long backlog (its receiver down for hours) fills one round at most, and the rooms behind it are still
     * found. It stops when a round comes back short (nothing more is pending), when {@code wanted} heads are due and
     * free at {@code now} (all that one pass attempts), when more than {@code fewPairs} ({@link #FEW_PAIRS}) pairs
     * are found, or after {@link #ROUNDS} rounds.
     */
    Mono<Heads> heads(Instant now, int wanted) {
        return round(new LinkedHashMap<>(), 0, 0, now, wanted).flatMap(h -> h.pending() < scan ? Mono.just(h)
                // A backlog: the rounds read only part of it; how many are pending is counted.
                : Mono.from(events.countDocuments(Filters.eq("status", PENDING)))
                        .map(n -> new Heads(h.oldest(), (int) Math.min(Integer.MAX_VALUE, n))));
    }

    private Mono<Heads> round(Map<String, Entry> first, int read, int rounds, Instant now, int wanted) {
        Bson pending = Filters.eq("status", PENDING);
        Bson filter = first.isEmpty() ? pending : Filters.and(pending, Filters.nor(first.values().stream()
                .map(e -> Filters.and(Filters.eq("receiver", e.receiver()), Filters.eq("room", e.room())))
                .toList()));
        return Flux.from(events.find(filter).sort(Sorts.ascending("at", "seq")).limit(scan)).map(Entry::of)
                .collectList().flatMap(batch -> {
                    int found = first.size();
                    for (Entry e : batch) {
                        first.putIfAbsent(e.receiver() + "\n" + e.room(), e);
                    }
                    long due = first.values().stream()
                            .filter(e -> !e.nextAt().isAfter(now) && !e.claimUntil().isAfter(now)).count();
                    boolean more = batch.size() == scan && first.size() > found && due < wanted
                            && first.size() <= fewPairs && rounds + 1 < ROUNDS;
                    return more ? round(first, read + batch.size(), rounds + 1, now, wanted)
                            : Mono.just(new Heads(List.copyOf(first.values()), read + batch.size()));
                });
    }

    record Heads(List<Entry> oldest, int pending) {
    }

    /** The oldest pending event of one receiver and room. */
    Mono<Entry> next(String receiver, String room) {
        return Mono.from(events.find(Filters.and(Filters.eq("status", PENDING), Filters.eq("receiver", receiver),
                Filters.eq("room", room))).sort(Sorts.ascending("at", "seq")).first()).map(Entry::of);
    }

    /** Claims a pending event for {@code until}; empty when another node holds it or it is no longer pending. */
    Mono<Optional<Entry>> claim(String id, String node, Instant now, Instant until) {
        return Mono.from(events.findOneAndUpdate(Filters.and(Filters.eq("_id", id), Filters.eq("status", PENDING),
                                Filters.lte("claimUntil", Date.from(now))),
                        Updates.combine(Updates.set("claimUntil", Date.from(until)), Updates.set("claimedBy", node)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .map(d -> Optional.of(Entry.of(d))).defaultIfEmpty(Optional.empty());
    }

    Mono<Void> delivered(String id, Instant at) {
        return Mono.from(events.updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("status", DELIVERED),
                Updates.set("deliveredAt", Date.from(at)), Updates.inc("attempts", 1)))).then();
    }

    /** A failed attempt: tried again at {@code nextAt}, or given up ({@code failed}) when that is empty. */
    Mono<Void> attemptFailed(String id, Optional<Instant> nextAt, String error) {
        return Mono.from(events.updateOne(Filters.eq("_id", id), Updates.combine(
                Updates.inc("attempts", 1), Updates.set("lastError", error),
                Updates.set("claimUntil", new Date(0)),
                nextAt.map(t -> Updates.set("nextAt", Date.from(t))).orElse(Updates.set("status", FAILED))))).then();
    }

    /**
     * Frees the events a node was delivering when it stopped (its next run knows its previous id): they need not wait
     * for their claims to lapse.
     */
    Mono<Void> release(String node) {
        return Mono.from(events.updateMany(Filters.and(Filters.eq("status", PENDING), Filters.eq("claimedBy", node)),
                Updates.set("claimUntil", new Date(0)))).then();
    }

    /** Removes delivered and given-up events older than {@code before}. */
    Mono<Void> purge(Instant before) {
        return Mono.from(events.deleteMany(Filters.and(Filters.ne("status", PENDING),
                Filters.lt("at", Date.from(before))))).then();
    }
}
