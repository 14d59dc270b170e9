package io.kezdesu.signaling.room;

import io.kezdesu.signaling.session.SocketSession;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

/**
 * One participant of a live room (or a knock waiting in its lobby). Mutable, guarded by its {@link LiveRoom}'s lock.
 * While its socket is gone (within the resume grace) messages for it queue up, in order, up to a bound.
 */
final class Participant {

    final String id;
    final String userId;
    final String name;
    final String resumeToken;
    final Instant since;
    SocketSession session;
    ScheduledFuture<?> grace;
    final ArrayDeque<String> queue = new ArrayDeque<>();
    boolean audio = true;
    boolean video = true;

    Participant(String id, String userId, String name, String resumeToken, Instant since, SocketSession session) {
        this.id = id;
        this.userId = userId;
        this.name = name;
        this.resumeToken = resumeToken;
        this.since = since;
        this.session = session;
    }

    boolean suspended() {
        return session == null;
    }
}
