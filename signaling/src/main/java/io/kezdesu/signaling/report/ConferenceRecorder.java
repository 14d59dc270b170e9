package io.kezdesu.signaling.report;

import com.mongodb.client.model.ReplaceOptions;
import io.kezdesu.signaling.room.ConferenceEvents;
import io.kezdesu.signaling.room.Room;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Keeps the record of every live conference and writes it to the {@code conferences} collection after each event.
 * Writes are coalesced per conference: at most one in flight, then the latest state, so the stored record only ever
 * moves forward and a burst of joins costs a couple of writes. Every {@code conference-heartbeat} (30 s) the server
 * stamps each live record with {@code lastSeenAt} ({@link #heartbeat()}), so that a record marked {@code active} that
 * survives a crash is closed on the next start by {@link #recoverInterrupted()} at the last moment it is known to have
 * been running, not at its last join or leave: a crash loses at most one period of each call, for one small write per
 * live conference per period.
 */
public final class ConferenceRecorder implements ConferenceEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ConferenceRecorder.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConferenceRepository repository;
    private final Clock clock;
    private final ConcurrentHashMap<String, Record> live = new ConcurrentHashMap<>();

    /** {@code clock} stamps heartbeats; events bring their own time. */
    public ConferenceRecorder(ConferenceRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    @Override
    public String started(Room room, Instant at) {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Record r = new Record(id, room.id(), room.name(), room.headId(), at);
        live.put(id, r);
        persist(r);
        return id;
    }

    @Override
    public void joined(String conferenceId, String userId, String name, Instant at) {
        update(conferenceId, r -> r.join(userId, name, at));
    }

    @Override
    public void left(String conferenceId, String userId, Instant at, String reason) {
        update(conferenceId, r -> r.leave(userId, at, reason));
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
     * Stamps every live conference's record with the clock's now as {@code lastSeenAt}. Completes when those writes
     * have settled (landed, or failed and been logged); the server runs it every {@code conference-heartbeat}.
     */
    public Mono<Void> heartbeat() {
        Instant now = clock.instant();
        List<CompletableFuture<Void>> settled = new ArrayList<>();
        for (Record r : live.values()) {
            synchronized (r) {
                if (r.endedAt != null || !now.isAfter(r.lastSeenAt)) {
                    continue;
                }
                r.lastSeenAt = now;
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            settled.add(done);
            persist(r, done);
        }
        return Mono.fromFuture(CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)));
    }

    /**
     * Closes conferences a crash left open, marked {@code crashed}: each ends, with everyone still in it, at the last
     * moment the server is known to have been running it, its last heartbeat or its last event, whichever is later.
     */
    public Mono<Long> recoverInterrupted() {
        return repository.active()
                .flatMap(doc -> {
                    Record r = Record.fromDocument(doc);
                    Instant end = r.lastAlive();
                    for (String userId : r.openUsers()) {
                        r.leave(userId, end, "crashed");
                    }
                    r.end(end, "crashed");
                    return repository.replace(r.toDocument(), new ReplaceOptions().upsert(true)).thenReturn(1L);
                })
                .reduce(0L, Long::sum);
    }

    private void update(String conferenceId, java.util.function.Consumer<Record> change) {
        Record r = live.get(conferenceId);
        if (r == null) {
            return;
        }
        synchronized (r) {
            change.accept(r);
        }
        persist(r);
    }

    private void persist(Record r) {
        persist(r, null);
    }

    /** {@code settled}, if given, completes once a write that includes the record as it is now has ended. */
    private void persist(Record r, CompletableFuture<Void> settled) {
        synchronized (r) {
            r.version++;
            if (settled != null) {
                r.waiting.add(Map.entry(r.version, settled));
            }
            if (r.writing) {
                return;
            }
            r.writing = true;
        }
        write(r);
    }

    private void write(Record r) {
        Document doc;
        long version;
        synchronized (r) {
            doc = r.toDocument();
            version = r.version;
        }
        repository.replace(doc, new ReplaceOptions().upsert(true))
                .doOnError(e -> LOG.warn("conference {}: write failed: {}", r.id, e.toString()))
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> {
                    boolean again;
                    List<CompletableFuture<Void>> settled = new ArrayList<>();
                    synchronized (r) {
                        for (var it = r.waiting.iterator(); it.hasNext(); ) {
                            Map.Entry<Long, CompletableFuture<Void>> w = it.next();
                            if (w.getKey() <= version) {
                                settled.add(w.getValue());
                                it.remove();
                            }
                        }
                        again = r.version != version;
                        if (!again) {
                            r.writing = false;
                            if (r.endedAt != null) {
                                live.remove(r.id, r);
                            }
                        }
                    }
                    settled.forEach(f -> f.complete(null));
                    if (again) {
                        write(r);
                    }
                })
                .subscribe();
    }

    /** One conference's record, mutable under its own lock. */
    static final class Record {
        final String id;
        final String roomId;
        final String roomName;
        final String headId;
        final Instant startedAt;
        Instant endedAt;
        String endReason;
        Instant lastEventAt;
        /** The last heartbeat: the server was running this conference then. */
        Instant lastSeenAt;
        int current;
        int peak;
        final Map<String, Attendee> attendees = new LinkedHashMap<>();
        long version;
        boolean writing;
        /** Heartbeats waiting for the write of their version (or a later one) to end. */
        final List<Map.Entry<Long, CompletableFuture<Void>>> waiting = new ArrayList<>();

        Record(String id, String roomId, String roomName, String headId, Instant startedAt) {
            this.id = id;
            this.roomId = roomId;
            this.roomName = roomName;
            this.headId = headId;
            this.startedAt = startedAt;
            this.lastEventAt = startedAt;
            this.lastSeenAt = startedAt;
        }

        /** The latest moment the conference is known to have been running. */
        Instant lastAlive() {
            return lastSeenAt.isAfter(lastEventAt) ? lastSeenAt : lastEventAt;
        }

        void join(String userId, String name, Instant at) {
            attendees.computeIfAbsent(userId, k -> new Attendee(name)).intervals.add(new Interval(at, null, null));
            current++;
            peak = Math.max(peak, current);
            lastEventAt = at;
        }

        void leave(String userId, Instant at, String reason) {
            Attendee a = attendees.get(userId);
            if (a == null) {
                return;
            }
            for (int i = a.intervals.size() - 1; i >= 0; i--) {
                Interval iv = a.intervals.get(i);
                if (iv.leftAt == null) {
                    a.intervals.set(i, new Interval(iv.joinedAt, at, reason));
                    current--;
                    break;
                }
            }
            lastEventAt = at;
        }

        void end(Instant at, String reason) {
            endedAt = at;
            endReason = reason;
            lastEventAt = at;
        }

        List<String> openUsers() {
            List<String> out = new ArrayList<>();
            attendees.forEach((user, a) -> a.intervals.stream().filter(iv -> iv.leftAt == null)
                    .forEach(iv -> out.add(user)));
            return out;
        }

        Document toDocument() {
            List<Document> people = new ArrayList<>();
            long totalMillis = 0;
            for (Map.Entry<String, Attendee> e : attendees.entrySet()) {
                List<Document> intervals = new ArrayList<>();
                long millis = 0;
                for (Interval iv : e.getValue().intervals) {
                    Instant end = iv.leftAt != null ? iv.leftAt : (endedAt != null ? endedAt : lastAlive());
                    millis += Duration.between(iv.joinedAt, end).toMillis();
                    Document d = new Document("joinedAt", Date.from(iv.joinedAt));
                    d.append("leftAt", iv.leftAt == null ? null : Date.from(iv.leftAt));
                    d.append("reason", iv.reason);
                    intervals.add(d);
                }
                totalMillis += millis;
                people.add(new Document("userId", e.getKey()).append("name", e.getValue().name)
                        .append("seconds", millis / 1000.0).append("intervals", intervals));
            }
            return new Document("_id", id)
                    .append("roomId", roomId)
                    .append("roomName", roomName)
                    .append("headId", headId)
                    .append("status", endedAt == null ? "active" : "ended")
                    .append("startedAt", Date.from(startedAt))
                    .append("endedAt", endedAt == null ? null : Date.from(endedAt))
                    .append("endReason", endReason)
                    .append("lastEventAt", Date.from(lastEventAt))
                    .append("lastSeenAt", Date.from(lastSeenAt))
                    .append("peakParticipants", peak)
                    .append("participantMinutes", totalMillis / 60_000.0)
                    .append("participants", people);
        }

        static Record fromDocument(Document d) {
            Record r = new Record(d.getString("_id"), d.getString("roomId"), d.getString("roomName"),
                    d.getString("headId"), d.getDate("startedAt").toInstant());
            r.lastEventAt = d.getDate("lastEventAt").toInstant();
            // Records written before heartbeats existed have no lastSeenAt: their last event is all we know.
            Date seen = d.getDate("lastSeenAt");
            r.lastSeenAt = seen == null ? r.lastEventAt : seen.toInstant();
            r.peak = d.getInteger("peakParticipants", 0);
            for (Document p : d.getList("participants", Document.class, List.of())) {
                Attendee a = new Attendee(p.getString("name"));
                for (Document iv : p.getList("intervals", Document.class, List.of())) {
                    Date left = iv.getDate("leftAt");
                    a.intervals.add(new Interval(iv.getDate("joinedAt").toInstant(),
                            left == null ? null : left.toInstant(), iv.getString("reason")));
                    if (left == null) {
                        r.current++;
                    }
                }
                r.attendees.put(p.getString("userId"), a);
            }
            return r;
        }
    }

    static final class Attendee {
        final String name;
        final List<Interval> intervals = new ArrayList<>();

        Attendee(String name) {
            this.name = name;
        }
    }

    record Interval(Instant joinedAt, Instant leftAt, String reason) {
    }
}
