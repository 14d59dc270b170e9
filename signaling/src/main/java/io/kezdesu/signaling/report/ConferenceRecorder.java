package io.kezdesu.signaling.report;

import io.kezdesu.common.data.RandomIds;
import io.kezdesu.common.store.StoreErrors;
import io.kezdesu.signaling.room.ConferenceEvents;
import io.kezdesu.signaling.room.Room;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Keeps the record of every live conference and writes it to the {@code conferences} collection after each event.
 * Writes are coalesced per conference: at most one in flight, then the latest state, so the stored record only ever
 * moves forward and a burst of joins costs a couple of writes. Nothing is written while nothing happens: how long a
 * live conference has run is its node's heartbeat to say (reports read it, {@link ConferenceRecord#asOf}), and a
 * record marked {@code active} that survives a crash is closed by {@link #recoverOrphans} (on any live node, once the
 * record's node is dead) at its node's last heartbeat, not at its last join or leave: a crash loses at most a third
 * of {@code node-timeout} of each call. (It used to stamp every live record every 30 s: 2,500 writes per period for
 * 2,500 conferences, which kept an idle node's store busy.) A write the store cannot take (an outage) is tried
 * again, backing off from {@value StoreErrors#FIRST_RETRY_MS} ms to {@value StoreErrors#LAST_RETRY_MS} ms, until it
 * lands: joins, leaves and ends during an outage reach the record once the store is back, while the process lives.
 */
public final class ConferenceRecorder implements ConferenceEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ConferenceRecorder.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConferenceRepository repository;
    private final ConcurrentHashMap<String, ConferenceRecord> live = new ConcurrentHashMap<>();

    private final String nodeId;

    /** As below, for a node of its own (a random id). */
    public ConferenceRecorder(ConferenceRepository repository) {
        this(repository, "node-" + Long.toHexString(RANDOM.nextLong()));
    }

    /** Events bring their own time; conferences are recorded as {@code nodeId}'s. */
    public ConferenceRecorder(ConferenceRepository repository, String nodeId) {
        this.repository = repository;
        this.nodeId = nodeId;
    }

    @Override
    public String started(Room room, Instant at) {
        String id = RandomIds.next(12);
        ConferenceRecord r = new ConferenceRecord(id, room.id(), room.name(), room.headId(), at);
        r.node = nodeId;
        live.put(id, r);
        persist(r);
        return id;
    }

    @Override
    public void joined(String conferenceId, String participantId, String userId, String name, String tokenHash,
                       Instant at) {
        update(conferenceId, r -> {
            r.join(userId, name, at);
            r.seat(participantId, userId, name, tokenHash);
        });
    }

    @Override
    public void left(String conferenceId, String participantId, String userId, Instant at, String reason) {
        update(conferenceId, r -> {
            r.leave(userId, at, reason);
            r.unseat(participantId);
        });
    }

    @Override
    public Mono<Optional<TakenOver>> takeOver(String roomId) {
        return repository.takeOver(roomId, nodeId).map(doc -> {
            ConferenceRecord r = ConferenceRecord.fromDocument(doc);
            r.node = nodeId;
            live.put(r.id, r);
            LOG.info("conference {} of room {} taken over from a node that is gone ({} in it)", r.id, roomId,
                    r.seats.size());
            List<Seated> seated = new ArrayList<>();
            r.seats.forEach((id, s) -> seated.add(new Seated(id, s.userId(), s.name(), s.tokenHash())));
            return Optional.of(new TakenOver(r.id, seated, r.startedAt,
                    java.time.Duration.ofSeconds(r.extensionSeconds), java.util.Set.copyOf(r.kicked)));
        }).defaultIfEmpty(Optional.empty());
    }

    @Override
    public void kicked(String conferenceId, String userId) {
        update(conferenceId, r -> r.kicked.add(userId));
    }

    @Override
    public void extended(String conferenceId, java.time.Duration total) {
        update(conferenceId, r -> r.extensionSeconds = total.toSeconds());
    }

    @Override
    public void ended(String conferenceId, Instant at, String reason) {
        update(conferenceId, r -> r.end(at, reason));
    }

    /** Whether every record has been written (shutdown waits for this before closing the store). */
    public boolean idle() {
        return live.values().stream().noneMatch(r -> r.writing);
    }

    /**
     * Closes conferences whose node is dead, marked {@code crashed}: each ends, with everyone still in it, at the last
     * moment it is known to have been running: its node's last heartbeat (from {@code lastHeartbeats}, by node id),
     * or its own last stamp or event, whichever is later. Never a conference of a node in {@code liveNodes}, nor this
     * node's own. A record another node closes meanwhile is left as that node wrote it.
     *
     * @return how many this call closed
     */
    public Mono<Long> recoverOrphans(java.util.Set<String> liveNodes, java.util.Map<String, Instant> lastHeartbeats) {
        return recoverOrphans(liveNodes, lastHeartbeats, orphan -> { });
    }

    /** As {@link #recoverOrphans(java.util.Set, java.util.Map)}, telling {@code closed} of each one it closed. */
    public Mono<Long> recoverOrphans(java.util.Set<String> liveNodes, java.util.Map<String, Instant> lastHeartbeats,
                                     java.util.function.Consumer<ConferenceEvents.Orphaned> closed) {
        java.util.Set<String> spared = new java.util.HashSet<>(liveNodes);
        spared.add(nodeId);
        return repository.activeOutside(spared)
                .concatMap(doc -> {
                    ConferenceRecord r = ConferenceRecord.fromDocument(doc);
                    Instant end = r.lastAlive();
                    Instant nodeSeen = r.node == null ? null : lastHeartbeats.get(r.node);
                    if (nodeSeen != null && nodeSeen.isAfter(end)) {
                        end = nodeSeen;
                    }
                    java.util.List<ConferenceEvents.Seated> seated = new java.util.ArrayList<>();
                    r.seats.forEach((participant, s) -> seated.add(new ConferenceEvents.Seated(participant,
                            s.userId(), s.name(), s.tokenHash())));
                    java.util.List<String> open = r.openUsers();
                    if (seated.isEmpty()) {
                        // A record older than seats: who is in is known by account only.
                        open.forEach(user -> seated.add(new ConferenceEvents.Seated(null, user, null, null)));
                    }
                    for (String userId : open) {
                        r.leave(userId, end, "crashed");
                    }
                    r.end(end, "crashed");
                    ConferenceEvents.Orphaned orphan = new ConferenceEvents.Orphaned(r.id, r.roomId,
                            java.util.List.copyOf(seated), end);
                    return repository.replaceActive(r.toDocument()).map(done -> {
                        if (done) {
                            closed.accept(orphan);
                        }
                        return done ? 1L : 0L;
                    });
                })
                .reduce(0L, Long::sum);
    }

    /** The node this recorder writes conferences for. */
    public String nodeId() {
        return nodeId;
    }

    private void update(String conferenceId, java.util.function.Consumer<ConferenceRecord> change) {
        ConferenceRecord r = live.get(conferenceId);
        if (r == null) {
            return;
        }
        synchronized (r) {
            change.accept(r);
        }
        persist(r);
    }

    private void persist(ConferenceRecord r) {
        synchronized (r) {
            r.version++;
            if (r.writing) {
                return;
            }
            r.writing = true;
        }
        write(r, 0);
    }

    /** Writes the record as it is now; {@code failures} in a row so far decide the wait before a retry. */
    private void write(ConferenceRecord r, int failures) {
        Document doc;
        long version;
        synchronized (r) {
            doc = r.toDocument();
            version = r.version;
        }
        // Deferred: a driver already closed (the daemon stopping) throws at the call, which would otherwise escape
        // to whoever recorded the event, or, on a retry, to Reactor's error log with its stack trace.
        Mono.defer(() -> repository.replaceOwn(doc))
                .map(own -> {
                    if (!own) {
                        // Another node took this conference over (this one was taken for dead): it is theirs.
                        LOG.warn("conference {}: another node runs it now; this node stops writing it", r.id);
                        live.remove(r.id, r);
                    }
                    return true;
                })
                .onErrorResume(e -> {
                    if (!StoreErrors.unreachable(e)) {
                        // Refused, not unreachable: trying again would be refused again.
                        LOG.warn("conference {}: write refused by the store: {}", r.id, e.toString());
                        return Mono.just(true);
                    }
                    if (failures == 0) {
                        LOG.warn("conference {}: write failed, retrying until it lands: {}", r.id, e.toString());
                    }
                    return Mono.just(false);
                })
                .subscribe(done -> {
                    if (!done) {
                        Mono.delay(java.time.Duration.ofMillis(StoreErrors.retryDelayMillis(failures + 1)))
                                .subscribe(t -> write(r, failures + 1));
                        return;
                    }
                    if (failures > 0) {
                        LOG.info("conference {}: written after {} failed tries", r.id, failures);
                    }
                    boolean again;
                    synchronized (r) {
                        again = r.version != version;
                        if (!again) {
                            r.writing = false;
                            if (r.endedAt != null) {
                                live.remove(r.id, r);
                            }
                        }
                    }
                    if (again) {
                        write(r, 0);
                    }
                });
    }
}
