package io.kezdesu.signaling.cluster;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.data.RandomIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The signaling nodes sharing one store, in its {@code nodes} collection: each registers itself at start (id, the
 * address it serves on, start time) and renews a heartbeat every third of {@code node-timeout}; a node whose
 * heartbeat is older than {@code node-timeout} is dead. Each start is a new node (a random id): a restarted process
 * does not inherit the conferences its previous run left, a live node closes them once that run is dead.
 *
 * <p>Heartbeats are stamped with each node's own clock and compared with the reader's: nodes' clocks must agree to
 * well within {@code node-timeout} (NTP does), or a live node could be taken for dead.
 */
public final class NodeRegistry {


    private final MongoCollection<Document> nodes;
    private final String id;
    private final Supplier<String> address;
    private final Clock clock;
    private final Duration timeout;

    /** {@code address}: where this node serves (host:port), read at each heartbeat (the port is bound later). */
    public NodeRegistry(MongoDatabase db, Supplier<String> address, Clock clock,
                        Duration timeout) {
        this.nodes = db.getCollection("nodes");
        this.id = RandomIds.next(9);
        this.address = address;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** This node's id. */
    public String id() {
        return id;
    }

    /** How often this node renews its heartbeat: a third of the timeout, so two can be lost. */
    public Duration heartbeatEvery() {
        return timeout.dividedBy(3);
    }

    /** Writes this node's entry (at start). */
    public Mono<Void> register() {
        Instant now = clock.instant();
        return Mono.from(nodes.replaceOne(Filters.eq("_id", id), new Document("_id", id).append("address", address.get())
                        .append("startedAt", Date.from(now)).append("heartbeatAt", Date.from(now)),
                new ReplaceOptions().upsert(true))).then();
    }

    /** Renews this node's heartbeat (re-creating its entry if someone took it for dead and removed it). */
    public Mono<Void> heartbeat() {
        Instant now = clock.instant();
        return Mono.from(nodes.updateOne(Filters.eq("_id", id), Updates.combine(
                        Updates.set("heartbeatAt", Date.from(now)), Updates.set("address", address.get()),
                        Updates.setOnInsert("startedAt", Date.from(now))),
                new UpdateOptions().upsert(true))).then();
    }

    /** Every registered node and its last heartbeat, this node's included. */
    public Mono<View> view() {
        Instant now = clock.instant();
        return Flux.from(nodes.find()).collectList().map(docs -> {
            Map<String, Instant> heartbeats = new HashMap<>();
            Set<String> alive = new HashSet<>();
            for (Document d : docs) {
                Instant at = d.getDate("heartbeatAt").toInstant();
                heartbeats.put(d.getString("_id"), at);
                if (!at.isBefore(now.minus(timeout))) {
                    alive.add(d.getString("_id"));
                }
            }
            alive.add(id);
            return new View(alive, heartbeats);
        });
    }

    /** Removes a dead node's entry once its conferences are closed (only while it is still dead). */
    public Mono<Void> forget(String deadNode) {
        Instant cutoff = clock.instant().minus(timeout);
        return Mono.from(nodes.deleteOne(Filters.and(Filters.eq("_id", deadNode),
                Filters.lt("heartbeatAt", Date.from(cutoff))))).then();
    }

    /** This node leaves the cluster (a clean stop, after its conferences ended). */
    public Mono<Void> leave() {
        return Mono.from(nodes.deleteOne(Filters.eq("_id", id))).then();
    }

    /** Which nodes are alive now, and every registered node's last heartbeat. */
    public record View(Set<String> alive, Map<String, Instant> heartbeats) {

        /** Registered nodes that are not alive. */
        public Set<String> dead() {
            Set<String> dead = new HashSet<>(heartbeats.keySet());
            dead.removeAll(alive);
            return dead;
        }
    }
}
