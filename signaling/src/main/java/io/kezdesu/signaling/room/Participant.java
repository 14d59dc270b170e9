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
    /** Null for a participant taken over from a dead node until it resumes (only the hash was recorded). */
    String resumeToken;
    /** What the store and the registry know of the token: {@link LiveRoom#tokenHash}. */
    final String tokenHash;
    /** Taken over from a dead node: nothing to replay, and its numbering continues from the client's count. */
    boolean adopted;
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
        this(id, userId, name, resumeToken, LiveRoom.tokenHash(resumeToken), since, seat);
    }

    Participant(String id, String userId, String name, String resumeToken, String tokenHash, Instant since,
                Seat seat) {
        this.id = id;
        this.userId = userId;
        this.name = name;
        this.resumeToken = resumeToken;
        this.tokenHash = tokenHash;
        this.since = since;
        this.seat = seat;
    }

    boolean suspended() {
        return seat == null;
    }
}
