package io.kezdesu.signaling.room;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * What a live room reports about its conference, in order, from under the room's lock. The recorder persists it;
 * implementations must not block.
 */
public interface ConferenceEvents {

    /** A conference starts with its first participant; returns its id. */
    String started(Room room, Instant at);

    /** Someone is in: {@code tokenHash} of their resume token, so another node can take their place over. */
    void joined(String conferenceId, String participantId, String userId, String name, String tokenHash, Instant at);

    void left(String conferenceId, String participantId, String userId, Instant at, String reason);

    /**
     * Takes over the room's running conference from a node that no longer serves the room (this node holds its lease
     * now): its record goes on here, with the participants who were in it, empty when there is none.
     */
    Mono<Optional<TakenOver>> takeOver(String roomId);

    /**
     * A conference taken over, when it started (its time limit counts from then), what its head added to that limit,
     * who was in it, and who was kicked out of it (not banned: out for this conference only).
     */
    record TakenOver(String conferenceId, List<Seated> seated, Instant startedAt, java.time.Duration extension,
                     java.util.Set<String> kicked) {
    }

    /** One participant of a conference taken over. */
    record Seated(String participantId, String userId, String name, String tokenHash) {
    }

    /**
     * The head extended the conference's time limit: {@code total} added so far, kept with the conference so that a
     * node that takes it over keeps it too.
     */
    default void extended(String conferenceId, java.time.Duration total) {
    }

    /**
     * A user was kicked out of the conference (a ban keeps them out of the room; a kick, for this conference): kept
     * with it, so that a node that takes it over keeps them out too.
     */
    default void kicked(String conferenceId, String userId) {
    }

    /** The conference ends: reason {@code empty}, {@code closed} or {@code shutdown}. */
    void ended(String conferenceId, Instant at, String reason);

    /**
     * A conference whose node died was closed by crash recovery (its record says so already): those still seated
     * left, and it ended, at {@code at}, with reason {@code crashed}. Only what is passed on (webhooks) needs it.
     */
    default void orphanClosed(Orphaned orphan) {
    }

    /** A conference closed by crash recovery: who was still in it (a participant id may be null in old records). */
    record Orphaned(String conferenceId, String roomId, List<Seated> seated, Instant at) {
    }

    ConferenceEvents NONE = new ConferenceEvents() {
        @Override
        public String started(Room room, Instant at) {
            return "none";
        }

        @Override
        public void joined(String conferenceId, String participantId, String userId, String name, String tokenHash,
                           Instant at) {
        }

        @Override
        public void left(String conferenceId, String participantId, String userId, Instant at, String reason) {
        }

        @Override
        public Mono<Optional<TakenOver>> takeOver(String roomId) {
            return Mono.just(Optional.empty());
        }

        @Override
        public void ended(String conferenceId, Instant at, String reason) {
        }
    };
}
