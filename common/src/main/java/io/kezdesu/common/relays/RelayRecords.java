package io.kezdesu.common.relays;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The relay fleet in the store's {@code relays} collection: every relay that runs with a store registers where
 * clients reach it and renews a heartbeat every third of {@code node-timeout}, with its allocation count and whether
 * it is draining. Signaling hands out the healthy ones (alive, not draining); a draining relay sends new clients to
 * one of them. A drain asked for from elsewhere (the admin API) is a flag on the record that the relay reads back
 * with its next heartbeat.
 *
 * <p>As with the nodes, heartbeats carry each writer's clock: the machines' clocks must agree to well within
 * {@code node-timeout}.
 */
public final class RelayRecords {

    /** A relay's record older than this many timeouts is removed by any relay's heartbeat. */
    private static final int FORGET_AFTER_TIMEOUTS = 6;

    private final MongoCollection<Document> relays;
    private final Clock clock;
    private final Duration timeout;

    public RelayRecords(MongoDatabase db, Clock clock, Duration timeout) {
        this.relays = db.getCollection("relays");
        this.clock = clock;
        this.timeout = timeout;
    }

    /** How often a relay renews its record: a third of the timeout, so two can be lost. */
    public Duration heartbeatEvery() {
        return timeout.dividedBy(3);
    }

    /**
     * Where clients reach a relay: {@code host} for URLs (a name or an address; empty when the relay does not know
     * one, and then only the signaling in its own process can hand it out, with the host the client used), the
     * addresses a 300 Try Alternate may name, its ports ({@code tlsPort} 0 when it has no TLS of its own), and its
     * region tag.
     */
    public record Advert(String id, Optional<String> host, List<String> addresses, int port, int tlsPort,
                         Optional<String> region) {
        public Advert {
            addresses = List.copyOf(addresses);
        }
    }

    /** A relay as the store last heard of it. */
    public record Relay(Advert advert, int allocations, boolean draining, boolean drainRequested,
                        Optional<Duration> drainTimeout, Instant startedAt, Instant heartbeatAt) {
        public String id() {
            return advert.id();
        }
    }

    /**
     * Writes this relay's record (creating it if it is new or was removed), and returns it as stored: whether
     * someone asked it to drain, and for how long at most.
     */
    public Mono<Relay> heartbeat(Advert self, int allocations, boolean draining) {
        Instant now = clock.instant();
        Bson update = Updates.combine(
                Updates.set("host", self.host().orElse(null)),
                Updates.set("addresses", self.addresses()),
                Updates.set("port", self.port()),
                Updates.set("tlsPort", self.tlsPort()),
                Updates.set("region", self.region().orElse(null)),
                Updates.set("allocations", allocations),
                Updates.set("draining", draining),
                Updates.set("heartbeatAt", Date.from(now)),
                Updates.setOnInsert("startedAt", Date.from(now)));
        Instant forgetBefore = now.minus(timeout.multipliedBy(FORGET_AFTER_TIMEOUTS));
        return Mono.from(relays.deleteMany(Filters.lt("heartbeatAt", Date.from(forgetBefore))))
                .then(Mono.from(relays.findOneAndUpdate(Filters.eq("_id", self.id()), update,
                        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER))))
                .map(RelayRecords::relay);
    }

    /** The relays heard from within the timeout (draining ones included), oldest first. */
    public Mono<List<Relay>> alive() {
        Instant cutoff = clock.instant().minus(timeout);
        return Flux.from(relays.find(Filters.gte("heartbeatAt", Date.from(cutoff))).sort(Sorts.ascending("startedAt")))
                .map(RelayRecords::relay).collectList();
    }

    /** Every record, dead ones included, oldest first: for the admin API. */
    public Mono<List<Relay>> all() {
        return Flux.from(relays.find().sort(Sorts.ascending("startedAt"))).map(RelayRecords::relay).collectList();
    }

    /** Whether a record's heartbeat is recent enough for it to count as alive now. */
    public boolean isAlive(Relay r) {
        return !r.heartbeatAt().isBefore(clock.instant().minus(timeout));
    }

    /**
     * Asks a live relay to drain, for at most {@code timeout} (empty: the relay's own drain-timeout). False when no
     * live relay has that id.
     */
    public Mono<Boolean> requestDrain(String id, Optional<Duration> drainTimeout) {
        Instant cutoff = clock.instant().minus(timeout);
        return Mono.from(relays.updateOne(Filters.and(Filters.eq("_id", id), Filters.gte("heartbeatAt",
                        Date.from(cutoff))), Updates.combine(Updates.set("drainRequested", true),
                        Updates.set("drainTimeoutMillis", drainTimeout.map(Duration::toMillis).orElse(null)))))
                .map(r -> r.getMatchedCount() > 0);
    }

    /** A relay leaves the fleet (a clean stop). */
    public Mono<Void> leave(String id) {
        return Mono.from(relays.deleteOne(Filters.eq("_id", id))).then();
    }

    private static Relay relay(Document d) {
        List<String> addresses = new ArrayList<>();
        Object a = d.get("addresses");
        if (a instanceof List<?> list) {
            list.forEach(x -> addresses.add(String.valueOf(x)));
        }
        Advert advert = new Advert(d.getString("_id"), Optional.ofNullable(d.getString("host")), addresses,
                d.getInteger("port", 0), d.getInteger("tlsPort", 0), Optional.ofNullable(d.getString("region")));
        Number drainMillis = (Number) d.get("drainTimeoutMillis");
        Date started = d.getDate("startedAt");
        Date beat = d.getDate("heartbeatAt");
        return new Relay(advert, d.getInteger("allocations", 0), d.getBoolean("draining", false),
                d.getBoolean("drainRequested", false),
                Optional.ofNullable(drainMillis).map(n -> Duration.ofMillis(n.longValue())),
                started == null ? Instant.EPOCH : started.toInstant(), beat == null ? Instant.EPOCH : beat.toInstant());
    }
}
