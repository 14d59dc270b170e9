package io.kezdesu.signaling.room;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * One participant of a live room (or a knock waiting in its lobby). Mutable, guarded by its {@link LiveRoom}'s lock.
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
    /** What the room delivered to it, kept for replay on resume. */
    final ReplayBuffer replay = new ReplayBuffer();
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
}
