package io.kezdesu.signaling.room;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * One participant of a live room (or a knock waiting in its lobby). Mutable, guarded by its {@link LiveRoom}'s lock.
 * The room numbers what it delivers to each participant and keeps the last few, so a client that resumes after a
 * dropped socket gets, in order, everything it missed — also what went into a socket that was already dead.
 */
final class Participant {

    final String id;
    final String userId;
    final String name;
    final String resumeToken;
    final Instant since;
    /** Its socket's place; null while suspended (the socket dropped, the resume grace running). */
    Seat seat;
    /** What acts for {@link #seat}; null while suspended. */
    Membership membership;
    ScheduledFuture<?> grace;
    /**
     * The last messages delivered to it through the room, for replay on resume: bounded by count, by bytes, and (while
     * its socket is up) by age — a message older than the heartbeat window cannot have been lost in a dead socket.
     */
    final ArrayDeque<Sent> recent = new ArrayDeque<>();
    long recentChars;
    /** How many messages the room has delivered to it; a resuming client says how many it received. */
    long delivered;
    /** {@link #delivered} when its socket dropped: the replay point for a client that does not say. */
    long deliveredAtDrop;
    boolean audio = true;
    boolean video = true;

    Participant(String id, String userId, String name, String resumeToken, Instant since, Seat seat) {
        this.id = id;
        this.userId = userId;
        this.name = name;
        this.resumeToken = resumeToken;
        this.since = since;
        this.seat = seat;
    }

    boolean suspended() {
        return seat == null;
    }

    /** A delivered message and when (System.nanoTime). */
    record Sent(String json, long at) {
    }
}
