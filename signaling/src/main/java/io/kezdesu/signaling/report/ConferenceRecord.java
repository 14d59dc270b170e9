package io.kezdesu.signaling.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * One conference's record, mutable under its own lock, and its {@code conferences} document: intervals per person,
 * peak, participant-minutes, {@code lastEventAt} and {@code lastSeenAt}. A live conference's stored minutes run to its
 * last join or leave; how long it has run since is its node's to say (its heartbeat): {@link #asOf} for reports, and
 * recovery, which ends a crashed one at the later of its last event and its node's last heartbeat. ({@code lastSeenAt}
 * is the last moment it is known to have run when it was read back: older versions stamped it every 30 s.)
 */
final class ConferenceRecord {
    /**
     * Intervals kept per person: the first half and the latest half. A join/leave loop would otherwise grow the
     * document toward MongoDB's 16 MB limit, past which the conference could no longer be recorded. Those dropped
     * from the middle still count in the person's seconds ({@code omittedIntervals}, {@code omittedSeconds}).
     */
    static final int MAX_INTERVALS = 100;

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
    /** The signaling node running it (null in records older than nodes): only that node's death ends it. */
    String node;
    int current;
    int peak;
    /** What the head added to the conference's time limit (kept for a node that takes the conference over). */
    long extensionSeconds;
    /** Users kicked out of this conference (kept for a node that takes it over). */
    final java.util.Set<String> kicked = new java.util.LinkedHashSet<>();
    final Map<String, Attendee> attendees = new LinkedHashMap<>();
    /**
     * Who is in it now, by participant id, with the hash of each one's resume token: what another node needs to take
     * the conference over if this one dies. Not kept once it has ended.
     */
    final Map<String, SeatEntry> seats = new LinkedHashMap<>();
    long version;
    boolean writing;

    ConferenceRecord(String id, String roomId, String roomName, String headId, Instant startedAt) {
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
        Attendee a = attendees.computeIfAbsent(userId, k -> new Attendee(name));
        if (a.intervals.size() >= MAX_INTERVALS) {
            Interval dropped = a.intervals.remove(MAX_INTERVALS / 2);
            if (dropped.leftAt != null) {
                a.omittedMillis += Duration.between(dropped.joinedAt, dropped.leftAt).toMillis();
            }
            a.omitted++;
        }
        a.intervals.add(new Interval(at, null, null));
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

    void seat(String participantId, String userId, String name, String tokenHash) {
        seats.put(participantId, new SeatEntry(userId, name, tokenHash));
    }

    void unseat(String participantId) {
        seats.remove(participantId);
    }

    void end(Instant at, String reason) {
        seats.clear();
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
            long millis = e.getValue().omittedMillis;
            for (Interval iv : e.getValue().intervals) {
                Instant end = iv.leftAt != null ? iv.leftAt : (endedAt != null ? endedAt : lastAlive());
                millis += Duration.between(iv.joinedAt, end).toMillis();
                Document d = new Document("joinedAt", Date.from(iv.joinedAt));
                d.append("leftAt", iv.leftAt == null ? null : Date.from(iv.leftAt));
                d.append("reason", iv.reason);
                intervals.add(d);
            }
            totalMillis += millis;
            Document person = new Document("userId", e.getKey()).append("name", e.getValue().name)
                    .append("seconds", millis / 1000.0).append("intervals", intervals);
            if (e.getValue().omitted > 0) {
                person.append("omittedIntervals", e.getValue().omitted)
                        .append("omittedSeconds", e.getValue().omittedMillis / 1000.0);
            }
            people.add(person);
        }
        return new Document("_id", id)
                .append("roomId", roomId)
                .append("roomName", roomName)
                .append("headId", headId)
                .append("node", node)
                .append("status", endedAt == null ? "active" : "ended")
                .append("startedAt", Date.from(startedAt))
                .append("endedAt", endedAt == null ? null : Date.from(endedAt))
                .append("endReason", endReason)
                .append("lastEventAt", Date.from(lastEventAt))
                .append("lastSeenAt", Date.from(lastSeenAt))
                .append("peakParticipants", peak)
                .append("extensionSeconds", extensionSeconds)
                .append("kicked", List.copyOf(kicked))
                .append("participantMinutes", totalMillis / 60_000.0)
                .append("participants", people)
                .append("seats", seats.entrySet().stream().map(e -> new Document("id", e.getKey())
                        .append("userId", e.getValue().userId()).append("name", e.getValue().name())
                        .append("tokenHash", e.getValue().tokenHash())).toList());
    }

    /**
     * A live conference's document as of the last heartbeat of the node running it ({@code lastHeartbeats}, by node
     * id: null when unknown): open intervals and minutes run to that moment when it is later than the stored one.
     * Ended conferences, and live ones whose node's heartbeat says nothing newer, are returned as they are.
     */
    static Document asOf(Document d, java.util.function.Function<String, Instant> lastHeartbeats) {
        String node = d.getString("node");
        Instant beat = node == null || !"active".equals(d.getString("status")) ? null : lastHeartbeats.apply(node);
        if (beat == null) {
            return d;
        }
        ConferenceRecord r = fromDocument(d);
        if (!beat.isAfter(r.lastAlive())) {
            return d;
        }
        r.lastSeenAt = beat;
        return r.toDocument();
    }

    static ConferenceRecord fromDocument(Document d) {
        ConferenceRecord r = new ConferenceRecord(d.getString("_id"), d.getString("roomId"), d.getString("roomName"),
                d.getString("headId"), d.getDate("startedAt").toInstant());
        r.lastEventAt = d.getDate("lastEventAt").toInstant();
        // Records written before heartbeats existed have no lastSeenAt: their last event is all we know.
        Date seen = d.getDate("lastSeenAt");
        r.lastSeenAt = seen == null ? r.lastEventAt : seen.toInstant();
        r.peak = d.getInteger("peakParticipants", 0);
        r.extensionSeconds = d.get("extensionSeconds") instanceof Number n ? n.longValue() : 0;
        r.kicked.addAll(d.getList("kicked", String.class, List.of()));
        r.node = d.getString("node");
        for (Document p : d.getList("participants", Document.class, List.of())) {
            Attendee a = new Attendee(p.getString("name"));
            a.omitted = p.getInteger("omittedIntervals", 0);
            Object omittedSeconds = p.get("omittedSeconds");
            a.omittedMillis = omittedSeconds instanceof Number n ? Math.round(n.doubleValue() * 1000) : 0;
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
        for (Document seat : d.getList("seats", Document.class, List.of())) {
            r.seats.put(seat.getString("id"), new SeatEntry(seat.getString("userId"), seat.getString("name"),
                    seat.getString("tokenHash")));
        }
        return r;
    }

    /** One participant in the conference now. */
    record SeatEntry(String userId, String name, String tokenHash) {
    }

    static final class Attendee {
        final String name;
        final List<Interval> intervals = new ArrayList<>();
        /** Intervals dropped from the middle of a long list, and their time. */
        int omitted;
        long omittedMillis;

        Attendee(String name) {
            this.name = name;
        }
    }

    record Interval(Instant joinedAt, Instant leftAt, String reason) {
    }
}
