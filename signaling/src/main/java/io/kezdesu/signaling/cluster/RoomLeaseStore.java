package io.kezdesu.signaling.cluster;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.store.StoreErrors;
import io.kezdesu.signaling.room.RoomLeases;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Room leases in the store's {@code leases} collection, one document per live room: {@code {_id: room, node, token,
 * epoch}}. A lease lives as long as its holder node: it is valid while that node's heartbeat ({@link NodeRegistry})
 * is, so a node keeps all its rooms with the one heartbeat write it makes anyway, however many rooms it serves.
 *
 * <p>Taking is one conditional upsert that matches only this node's own lease; when another node's lease is there,
 * the insert collides on {@code _id} and the taker reads the holder's heartbeat: a live holder serves the room, a
 * dead one's lease is taken over with a compare-and-set on the epoch the taker read. A node whose heartbeat broke (a
 * stall, a store outage: a gap in which others may have taken it for dead) first moves every lease it still holds to
 * a new epoch, so a taker that read it dead before it came back fails its compare-and-set, then reads back which
 * leases it holds: a live room another node holds now is lost. With an unbroken heartbeat nothing can have been
 * taken and nothing is read, except every tenth heartbeat as a check (clocks that disagree, a lease removed by hand).
 * A release deletes only the lease of the take it follows ({@code token}), so a release still in flight when the
 * room is taken again here does not delete the new lease.
 */
public final class RoomLeaseStore implements RoomLeases {

    private static final Logger LOG = LoggerFactory.getLogger(RoomLeaseStore.class);
    /** With an unbroken heartbeat, the leases are read back every this many heartbeats (a check). */
    static final int CHECK_EVERY = 10;

    private final MongoCollection<Document> leases;
    private final NodeRegistry nodes;
    /** Token and epoch values, unique within this node (the lease's node is in every filter). */
    private final AtomicLong sequence = new AtomicLong();
    /** The token of this node's latest take of each room, for its release. */
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final AtomicLong beats = new AtomicLong();

    public RoomLeaseStore(MongoDatabase db, NodeRegistry nodes) {
        this.leases = db.getCollection("leases");
        this.nodes = nodes;
    }

    @Override
    public Mono<Optional<Owner>> take(String roomId) {
        return take(roomId, 3);
    }

    private Mono<Optional<Owner>> take(String roomId, int attempts) {
        long token = sequence.incrementAndGet();
        Mono<Optional<Owner>> again = Mono.defer(() -> attempts <= 1
                ? Mono.just(Optional.of(new Owner("?", null))) // changed hands again and again meanwhile: busy
                : take(roomId, attempts - 1));
        return Mono.from(leases.findOneAndUpdate(
                        Filters.and(Filters.eq("_id", roomId), Filters.eq("node", nodes.id())),
                        Updates.combine(Updates.set("node", nodes.id()), Updates.set("token", token),
                                Updates.set("epoch", token)),
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)))
                .map(taken -> {
                    tokens.put(roomId, token);
                    return Optional.<Owner>empty();
                })
                .onErrorResume(StoreErrors::duplicateKey, held -> Mono.from(leases.find(Filters.eq("_id", roomId))
                                .first())
                        .flatMap(lease -> {
                            String holder = lease.getString("node");
                            if (nodes.id().equals(holder)) {
                                return again; // ours again since the collision
                            }
                            return nodes.alive(holder).flatMap(peer -> peer.isPresent()
                                    ? Mono.just(Optional.of(new Owner(holder, peer.get().address())))
                                    : takeFrom(roomId, holder, lease.get("epoch"))
                                            .flatMap(ok -> ok ? Mono.just(Optional.<Owner>empty()) : again));
                        })
                        .switchIfEmpty(again)); // released since the collision
    }

    /**
     * Takes a dead node's lease over, only if it is still at the epoch the taker read: the holder, back from a stall,
     * moves its leases to a new epoch before it goes on serving them, so a take decided on its old heartbeat fails.
     */
    Mono<Boolean> takeFrom(String roomId, String deadHolder, Object epoch) {
        long token = sequence.incrementAndGet();
        return Mono.from(leases.findOneAndUpdate(Filters.and(Filters.eq("_id", roomId),
                                Filters.eq("node", deadHolder), Filters.eq("epoch", epoch)),
                        Updates.combine(Updates.set("node", nodes.id()), Updates.set("token", token),
                                Updates.set("epoch", token))))
                .map(previous -> {
                    tokens.put(roomId, token);
                    return true;
                })
                .defaultIfEmpty(false);
    }

    @Override
    public Mono<Optional<Owner>> owner(String roomId) {
        return Mono.from(leases.find(Filters.eq("_id", roomId)).first())
                .filter(d -> !nodes.id().equals(d.getString("node")))
                .flatMap(d -> nodes.alive(d.getString("node"))
                        .map(peer -> peer.map(p -> new Owner(p.id(), p.address()))))
                .defaultIfEmpty(Optional.empty());
    }

    @Override
    public void release(String roomId) {
        releasing(roomId).subscribe(ok -> { }, e -> LOG.debug("lease of room {} not released (it lapses with this "
                + "node): {}", roomId, e.toString()));
    }

    /** The delete {@link #release} makes, for the lease of this node's latest take of the room (now). */
    Mono<Void> releasing(String roomId) {
        Long token = tokens.remove(roomId);
        Bson mine = Filters.and(Filters.eq("_id", roomId), Filters.eq("node", nodes.id()));
        Bson filter = token == null ? mine : Filters.and(mine, Filters.eq("token", token));
        // Deferred: a driver already closed (a room retiring as the daemon stops) throws at the call.
        return Mono.defer(() -> Mono.from(leases.deleteOne(filter))).then();
    }

    @Override
    public Mono<Set<String>> renew(Set<String> live) {
        boolean unbroken = nodes.unbroken();
        if (live.isEmpty() || unbroken && beats.incrementAndGet() % CHECK_EVERY != 0) {
            return Mono.just(Set.of()); // the heartbeat that just landed kept every lease
        }
        // After a gap, fence first: a node that read this one dead during it cannot take a lease once it moved on.
        Mono<?> fence = unbroken ? Mono.empty() : Mono.from(leases.updateMany(Filters.eq("node", nodes.id()),
                Updates.set("epoch", sequence.incrementAndGet())));
        return fence.then(Flux.from(leases.find(Filters.eq("node", nodes.id())).projection(Projections.include("_id")))
                        .map(d -> d.getString("_id")).collect(HashSet<String>::new, Set::add))
                .flatMap(held -> Flux.fromIterable(live)
                        // A live room without its lease (removed by hand) is taken again; one another node holds
                        // is lost.
                        .filter(id -> !held.contains(id))
                        .concatMap(id -> take(id).filter(Optional::isPresent).map(o -> id))
                        .collect(HashSet<String>::new, Set::add));
    }

    /** Frees every lease of a node known to be dead (this data directory's previous run). */
    public Mono<Void> expire(String deadNode) {
        return Mono.from(leases.deleteMany(Filters.eq("node", deadNode))).then();
    }

    /** Gives up every lease of this node (a clean stop, once its rooms are empty). */
    public Mono<Void> releaseAll() {
        tokens.clear();
        return Mono.from(leases.deleteMany(Filters.eq("node", nodes.id()))).then();
    }

    /** Who holds which room now (for {@code kezdesu} status and tests): room id → node id. */
    public Mono<Map<String, String>> all() {
        return Flux.from(leases.find()).collectMap(d -> d.getString("_id"), d -> d.getString("node"),
                HashMap::new);
    }
}
