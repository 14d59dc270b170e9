package io.kezdesu.signaling.cluster;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.store.StoreErrors;
import io.kezdesu.signaling.room.RoomLeases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Room leases in the store's {@code leases} collection, one document per live room: {@code {_id: room, node, until}}.
 * A node takes a lease with one conditional {@code findOneAndUpdate} (upsert) that matches only when the lease is
 * free, its own or expired; when another node's live lease is there, the upsert's insert collides on {@code _id} and
 * the taker learns who holds it. The holder renews all its leases with one bulk write per heartbeat; a lease not
 * renewed for {@code node-timeout} (its node dead or cut off from the store) may be taken by the next node that needs
 * the room. Expiry is checked by the taker, not by a TTL index (the embedded store has none).
 */
public final class RoomLeaseStore implements RoomLeases {

    private static final Logger LOG = LoggerFactory.getLogger(RoomLeaseStore.class);

    private final MongoCollection<Document> leases;
    private final NodeRegistry nodes;
    private final Clock clock;
    private final Duration timeout;

    public RoomLeaseStore(MongoDatabase db, NodeRegistry nodes, Clock clock, Duration timeout) {
        this.leases = db.getCollection("leases");
        this.nodes = nodes;
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public Mono<Optional<Owner>> take(String roomId) {
        return take(roomId, 2);
    }

    private Mono<Optional<Owner>> take(String roomId, int attempts) {
        Instant now = clock.instant();
        Bson takeable = Filters.and(Filters.eq("_id", roomId), Filters.or(Filters.eq("node", nodes.id()),
                Filters.lt("until", Date.from(now))));
        return Mono.from(leases.findOneAndUpdate(takeable, Updates.combine(Updates.set("node", nodes.id()),
                                Updates.set("until", Date.from(now.plus(timeout)))),
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)))
                .map(taken -> Optional.<Owner>empty())
                .onErrorResume(StoreErrors::duplicateKey, held -> owner(roomId).flatMap(owner -> {
                    if (owner.isPresent() || attempts <= 1) {
                        return Mono.just(owner.isPresent() ? owner
                                : Optional.of(new Owner("?", null))); // changed hands twice meanwhile: busy
                    }
                    return take(roomId, attempts - 1); // expired or released since: try again
                }));
    }

    @Override
    public Mono<Optional<Owner>> owner(String roomId) {
        Instant now = clock.instant();
        return Mono.from(leases.find(Filters.eq("_id", roomId)).first())
                .filter(d -> !nodes.id().equals(d.getString("node")) && !d.getDate("until").toInstant().isBefore(now))
                .flatMap(d -> nodes.address(d.getString("node"))
                        .map(address -> Optional.of(new Owner(d.getString("node"), address.orElse(null)))))
                .defaultIfEmpty(Optional.empty());
    }

    @Override
    public void release(String roomId) {
        // Deferred: a driver already closed (a room retiring as the daemon stops) throws at the call.
        Mono.defer(() -> Mono.from(leases.deleteOne(Filters.and(Filters.eq("_id", roomId),
                        Filters.eq("node", nodes.id())))))
                .subscribe(ok -> { }, e -> LOG.debug("lease of room {} not released (it expires): {}", roomId,
                        e.toString()));
    }

    @Override
    public Mono<Set<String>> renew(Set<String> live) {
        if (live.isEmpty()) {
            return Mono.just(Set.of());
        }
        Date until = Date.from(clock.instant().plus(timeout));
        // One write of one renewal per room, each by _id, rather than a filter of every live room's _id: the
        // embedded store has no index for "_id in [...]" and matched each lease against the whole list, so 2,500
        // live rooms cost 6 million comparisons a heartbeat and kept an idle node's two cores busy.
        List<UpdateOneModel<Document>> renewals = new ArrayList<>(live.size());
        for (String id : live) {
            renewals.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", id), Filters.eq("node", nodes.id())),
                    Updates.set("until", until)));
        }
        return Mono.from(leases.bulkWrite(renewals, new BulkWriteOptions().ordered(false)))
                .then(Flux.from(leases.find(Filters.eq("node", nodes.id())).projection(Projections.include("_id")))
                        .map(d -> d.getString("_id")).collect(HashSet<String>::new, Set::add))
                .flatMap(held -> Flux.fromIterable(live)
                        // A live room without its lease (released by a retire racing a new join, or removed by
                        // hand) is taken again; one another node holds is lost.
                        .filter(id -> !held.contains(id))
                        .concatMap(id -> take(id).filter(Optional::isPresent).map(o -> id))
                        .collect(HashSet<String>::new, Set::add));
    }

    /** Frees every lease of a node known to be dead (this data directory's previous run). */
    public Mono<Void> expire(String deadNode) {
        return Mono.from(leases.updateMany(Filters.eq("node", deadNode), Updates.set("until", new Date(0)))).then();
    }

    /** Gives up every lease of this node (a clean stop, once its rooms are empty). */
    public Mono<Void> releaseAll() {
        return Mono.from(leases.deleteMany(Filters.eq("node", nodes.id()))).then();
    }

    /** Who holds which room now (for {@code kezdesu} status and tests): room id → node id. */
    public Mono<Map<String, String>> all() {
        return Flux.from(leases.find()).collectMap(d -> d.getString("_id"), d -> d.getString("node"),
                HashMap::new);
    }
}
