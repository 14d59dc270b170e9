package io.kezdesu.signaling.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.room.ConferenceEvents;
import io.kezdesu.signaling.room.Room;
import io.kezdesu.signaling.room.RoomChanges;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;

/**
 * What a room and its conference report, passed on to the recorder and, as webhook events, to {@link Webhooks}:
 * {@code room.created}, {@code room.updated}, {@code room.closed} (from the room repository, once the store has the
 * change), {@code conference.started}, {@code conference.ended}, {@code participant.joined}, {@code participant.left}
 * and {@code participant.kicked} (from the live room, in the order it decided them, under its lock). Participant
 * events carry the count after the change, kept here per conference in that same order, so it is right however many
 * join or leave at once.
 */
public final class WebhookEvents implements ConferenceEvents, RoomChanges {

    private final ConferenceEvents recorder;
    private final Webhooks webhooks;
    private final Clock clock;
    /** Live conferences: their room and how many are in. */
    private final Map<String, Conference> conferences = new ConcurrentHashMap<>();

    private static final class Conference {
        final String room;
        int participants;

        Conference(String room, int participants) {
            this.room = room;
            this.participants = participants;
        }
    }

    public WebhookEvents(ConferenceEvents recorder, Webhooks webhooks, Clock clock) {
        this.recorder = recorder;
        this.webhooks = webhooks;
        this.clock = clock;
    }

    @Override
    public void changed(String event, Room room) {
        if (!webhooks.enabled()) {
            return;
        }
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("room", room.id());
        data.put("name", room.name());
        data.put("head", room.headId());
        data.put("maxParticipants", room.maxParticipants());
        data.put("locked", room.locked());
        data.put("lobby", room.lobby());
        data.put("closed", room.closed());
        webhooks.emit(event, room.id(), room.updatedAt() != null ? room.updatedAt() : clock.instant(), data);
    }

    @Override
    public String started(Room room, Instant at) {
        String id = recorder.started(room, at);
        conferences.put(id, new Conference(room.id(), 0));
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("room", room.id());
        data.put("conference", id);
        data.put("name", room.name());
        webhooks.emit("conference.started", room.id(), at, data);
        return id;
    }

    @Override
    public void joined(String conferenceId, String participantId, String userId, String name, String tokenHash,
                       Instant at) {
        recorder.joined(conferenceId, participantId, userId, name, tokenHash, at);
        Conference c = conferences.get(conferenceId);
        if (c == null) {
            return;
        }
        int count;
        synchronized (c) {
            count = ++c.participants;
        }
        ObjectNode data = participant(c.room, conferenceId, participantId, userId, count);
        data.put("name", name);
        webhooks.emit("participant.joined", c.room, at, data);
    }

    @Override
    public void left(String conferenceId, String participantId, String userId, Instant at, String reason) {
        recorder.left(conferenceId, participantId, userId, at, reason);
        Conference c = conferences.get(conferenceId);
        if (c == null) {
            return;
        }
        int count;
        synchronized (c) {
            count = Math.max(0, --c.participants);
        }
        ObjectNode data = participant(c.room, conferenceId, participantId, userId, count);
        data.put("reason", reason);
        webhooks.emit("kicked".equals(reason) ? "participant.kicked" : "participant.left", c.room, at, data);
    }

    /**
     * Crash recovery closed a conference of a dead node: {@code participant.left} (reason {@code crashed}) for each
     * one still in it, counting down, then {@code conference.ended}, all at the moment the record ends it.
     */
    @Override
    public void orphanClosed(Orphaned orphan) {
        if (!webhooks.enabled()) {
            return;
        }
        int count = orphan.seated().size();
        for (Seated s : orphan.seated()) {
            ObjectNode data = participant(orphan.roomId(), orphan.conferenceId(), s.participantId(), s.userId(),
                    --count);
            data.put("reason", "crashed");
            webhooks.emit("participant.left", orphan.roomId(), orphan.at(), data);
        }
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("room", orphan.roomId());
        data.put("conference", orphan.conferenceId());
        data.put("reason", "crashed");
        webhooks.emit("conference.ended", orphan.roomId(), orphan.at(), data);
    }

    private static ObjectNode participant(String room, String conference, String participant, String user,
                                          int count) {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("room", room);
        data.put("conference", conference);
        data.put("participant", participant);
        data.put("user", user);
        data.put("participantCount", count);
        return data;
    }

    @Override
    public Mono<Optional<TakenOver>> takeOver(String roomId) {
        return recorder.takeOver(roomId).doOnNext(taken -> taken.ifPresent(t ->
                conferences.put(t.conferenceId(), new Conference(roomId, t.seated().size()))));
    }

    @Override
    public void kicked(String conferenceId, String userId) {
        recorder.kicked(conferenceId, userId);
    }

    @Override
    public void extended(String conferenceId, java.time.Duration total) {
        recorder.extended(conferenceId, total);
    }

    @Override
    public void ended(String conferenceId, Instant at, String reason) {
        recorder.ended(conferenceId, at, reason);
        Conference c = conferences.remove(conferenceId);
        if (c == null) {
            return;
        }
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("room", c.room);
        data.put("conference", conferenceId);
        data.put("reason", reason);
        webhooks.emit("conference.ended", c.room, at, data);
    }
}
