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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>Each node also writes the {@link #PROTOCOL} it speaks: nodes of different protocols misread each other's leases
 * and records, so a node does not start beside a live one of another protocol, and warns of one that appears later.
 */
public final class NodeRegistry {

    /**
     * The format of what nodes share through the store (room leases, conference records), raised by a release that
     * changes it. 2: leases live as long as their node's heartbeat (2026-12-07); 1, written as no field: leases with
     * an expiry ({@code until}).
     */
    public static final int PROTOCOL = 2;
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);
    /** Longest a starting node waits for a node of another protocol to go silent (one that was just stopped). */
    private static final Duration MOST_WAIT = Duration.ofSeconds(60);


    private final MongoCollection<Document> nodes;
    private final String id;
    private final Supplier<String> address;
    private final Clock clock;
    private final Duration timeout;
    private volatile Set<String> superseded = Set.of();
    private volatile Instant supersededAt = Instant.EPOCH;
    private volatile Instant lastBeat;
    private volatile boolean unbroken;
    /** Nodes of another protocol already warned of (each once). */
    private final Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The nodes of another protocol this node has warned of while running (for a test). */
    Set<String> warnedOf() {
        return Set.copyOf(warned);
    }

    /** {@code address}: where this node serves (host:port), read at each heartbeat (the port is bound later). */
    public NodeRegistry(MongoDatabase db, Supplier<String> address, Clock clock,
                        Duration timeout) {
        this.nodes = db.getCollection("nodes");
        this.id = RandomIds.next(9);
        this.address = address;
        this.clock = clock;
        this.timeout = timeout;
    }

    /**
     * The node that ran from this data directory before (a crash, or a stop that could not leave): it is dead from
     * now on, whatever its heartbeat says, so its conferences are closed and its leases freed at once rather than
     * after node-timeout.
     */
    public void supersede(String previous) {
        if (!previous.equals(id)) {
            superseded = Set.of(previous);
            supersededAt = clock.instant();
        }
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
        return Mono.from(nodes.replaceOne(Filters.eq("_id", id), new Document("_id", id)
                        .append("address", address.get()).append("startedAt", Date.from(now))
                        .append("heartbeatAt", Date.from(now)).append("protocol", PROTOCOL),
                new ReplaceOptions().upsert(true))).doOnSuccess(r -> beat(now)).then();
    }

    /** Renews this node's heartbeat (re-creating its entry if someone took it for dead and removed it). */
    public Mono<Void> heartbeat() {
        Instant now = clock.instant();
        return Mono.from(nodes.updateOne(Filters.eq("_id", id), Updates.combine(
                        Updates.set("heartbeatAt", Date.from(now)), Updates.set("address", address.get()),
                        Updates.set("protocol", PROTOCOL), Updates.setOnInsert("startedAt", Date.from(now))),
                new UpdateOptions().upsert(true))).doOnSuccess(r -> beat(now)).then();
    }

    private void beat(Instant stamped) {
        Instant previous = lastBeat;
        // Others take this node for dead once its stamp is node-timeout old by their clocks. The new stamp landed
        // within two thirds of that after the one before it: nobody could have, with a third to spare for clocks.
        unbroken = previous != null
                && !clock.instant().isAfter(previous.plus(timeout.multipliedBy(2).dividedBy(3)));
        lastBeat = stamped;
    }

    /**
     * Whether this node's last heartbeat followed the one before it closely enough that no other node can have
     * taken it for dead in between (false until two have landed, and after any gap: a stall, a store outage).
     */
    public boolean unbroken() {
        return unbroken;
    }

    /**
     * A node as another sees it now: present while the node is alive (its heartbeat within node-timeout, and not
     * superseded by its next run), with the address it serves on (null when it has none other nodes can use).
     */
    public Mono<Optional<Peer>> alive(String node) {
        Instant cutoff = clock.instant().minus(timeout);
        return Mono.from(nodes.find(Filters.eq("_id", node)).first())
                .filter(d -> !superseded.contains(node) && !d.getDate("heartbeatAt").toInstant().isBefore(cutoff))
                .map(d -> Optional.of(new Peer(node, d.getString("address"))))
                .defaultIfEmpty(Optional.empty());
    }

    /** A live node and where it serves ({@code address} null when it has none other nodes can use). */
    public record Peer(String id, String address) {
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
                if (!at.isBefore(now.minus(timeout)) && !superseded.contains(d.getString("_id"))) {
                    alive.add(d.getString("_id"));
                }
            }
            alive.add(id);
            Map<String, Instant> deadSince = new HashMap<>();
            heartbeats.forEach((node, beat) -> {
                if (!alive.contains(node)) {
                    deadSince.put(node, superseded.contains(node) ? supersededAt : beat.plus(timeout));
                }
            });
            return new View(alive, heartbeats, deadSince, now);
        });
    }

    /** Where a node serves, as it registered it (empty when it has no address other nodes can use, or is gone). */
    public Mono<Optional<String>> address(String node) {
        return Mono.from(nodes.find(Filters.eq("_id", node)).first())
                .map(d -> Optional.ofNullable(d.getString("address")))
                .defaultIfEmpty(Optional.empty());
    }

    /**
     * The addresses (IP) of the other live nodes, resolved off the store's threads. Read with every heartbeat, so it
     * is also where a live node of another {@link #PROTOCOL} is warned of (once per node), without a read of its own.
     */
    public Mono<Set<java.net.InetAddress>> peerAddresses() {
        return liveOthers()
                .publishOn(reactor.core.scheduler.Schedulers.boundedElastic())
                .<java.net.InetAddress>handle((d, sink) -> {
                    if (protocolOf(d) != PROTOCOL && warned.add(d.getString("_id"))) {
                        LOG.warn("{}; it and this node misread each other's room leases and conference records: stop "
                                + "every node and start them all on one version (docs/CLUSTER.md)", stranger(d));
                    }
                    String address = d.getString("address");
                    try {
                        String host = address == null ? null : java.net.URI.create(address).getHost();
                        if (host != null) {
                            sink.next(java.net.InetAddress.getByName(
                                    host.startsWith("[") ? host.substring(1, host.length() - 1) : host));
                        }
                    } catch (IllegalArgumentException | java.net.UnknownHostException e) {
                        // An address that does not resolve (now): no exemption for it.
                    }
                })
                .collect(HashSet::new, Set::add);
    }

    /**
     * Every registered node for the admin API, oldest first: id, address, start, last heartbeat, and {@code state}
     * ({@code this} node, {@code alive}, or {@code dead}, which a live node forgets once its conferences are settled).
     */
    public Mono<List<Map<String, Object>>> describe() {
        Instant now = clock.instant();
        return Flux.from(nodes.find().sort(new Document("startedAt", 1))).map(d -> {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            String node = d.getString("_id");
            Instant beat = d.getDate("heartbeatAt").toInstant();
            m.put("id", node);
            m.put("address", d.getString("address"));
            m.put("startedAt", d.getDate("startedAt").toInstant().toString());
            m.put("heartbeatAt", beat.toString());
            m.put("protocol", protocolOf(d));
            m.put("state", node.equals(id) ? "this" : !beat.isBefore(now.minus(timeout))
                    && !superseded.contains(node) ? "alive" : "dead");
            return m;
        }).collectList();
    }

    /**
     * Live nodes (this one aside) that speak another {@link #PROTOCOL}, described for the operator: a node must not
     * start beside one.
     */
    public Mono<List<String>> strangers() {
        return liveOthers()
                .filter(d -> !superseded.contains(d.getString("_id")) && protocolOf(d) != PROTOCOL)
                .map(NodeRegistry::stranger)
                .collectList();
    }

    /**
     * Completes when no live node speaks another protocol, waiting (at most node-timeout, up to a minute) for those
     * found to go silent, as a node just stopped for the upgrade does; else fails, saying which nodes and what to do.
     */
    public Mono<Void> requireOneProtocol() {
        Duration wait = timeout.compareTo(MOST_WAIT) < 0 ? timeout : MOST_WAIT;
        return strangers().flatMap(found -> {
            if (found.isEmpty()) {
                return Mono.<Void>empty();
            }
            LOG.warn("{}: waiting up to {} s for {} to stop", String.join("; ", found), wait.toSeconds(),
                    found.size() == 1 ? "it" : "them");
            return Mono.delay(wait).then(Mono.defer(this::strangers)).flatMap(still -> still.isEmpty()
                    ? Mono.<Void>empty()
                    : Mono.error(new IllegalStateException(String.join("; ", still) + ": nodes of different versions "
                            + "misread each other's room leases and conference records; stop every node, then start "
                            + "them all on one version (docs/CLUSTER.md)")));
        });
    }

    /** The entries of the other nodes whose heartbeat is within node-timeout now (callers that wait defer this). */
    private Flux<Document> liveOthers() {
        Instant cutoff = clock.instant().minus(timeout);
        return Flux.from(nodes.find(Filters.and(Filters.ne("_id", id), Filters.gte("heartbeatAt", Date.from(cutoff)))));
    }

    private static int protocolOf(Document d) {
        Object p = d.get("protocol");
        return p instanceof Number n ? n.intValue() : 1;
    }

    private static String stranger(Document d) {
        int p = protocolOf(d);
        return "node " + d.getString("_id") + " (" + d.getString("address") + ") runs another version of kezdesu "
                + "(cluster protocol " + (p == 1 ? "1, from before 2026-12-07" : String.valueOf(p)) + "; this one: "
                + PROTOCOL + ")";
    }

    /** Removes a dead node's entry once its conferences are closed (only while it is still dead). */
    public Mono<Void> forget(String deadNode) {
        if (superseded.contains(deadNode)) {
            return Mono.from(nodes.deleteOne(Filters.eq("_id", deadNode))).then();
        }
        Instant cutoff = clock.instant().minus(timeout);
        return Mono.from(nodes.deleteOne(Filters.and(Filters.eq("_id", deadNode),
                Filters.lt("heartbeatAt", Date.from(cutoff))))).then();
    }

    /** This node leaves the cluster (a clean stop, after its conferences ended). */
    public Mono<Void> leave() {
        return Mono.from(nodes.deleteOne(Filters.eq("_id", id))).then();
    }

    /** Which nodes are alive now, and every registered node's last heartbeat. */
    public record View(Set<String> alive, Map<String, Instant> heartbeats, Map<String, Instant> deadSince,
                       Instant at) {

        /** Nodes dead for at least {@code d} (found silent, or superseded by their next run). */
        public Set<String> deadFor(Duration d) {
            Set<String> out = new HashSet<>();
            deadSince.forEach((node, since) -> {
                if (!since.plus(d).isAfter(at)) {
                    out.add(node);
                }
            });
            return out;
        }
    }
}
