package io.kezdesu.signaling.room;

import java.time.Instant;

/**
 * What a live room reports about its conference, in order, from under the room's lock. The recorder persists it;
 * implementations must not block.
 */
public interface ConferenceEvents {

    /** A conference starts with its first participant; returns its id. */
    String started(Room room, Instant at);

    void joined(String conferenceId, String userId, String name, Instant at);

    void left(String conferenceId, String userId, Instant at, String reason);

    /** The conference ends: reason {@code empty}, {@code closed} or {@code shutdown}. */
    void ended(String conferenceId, Instant at, String reason);

    ConferenceEvents NONE = new ConferenceEvents() {
        @Override
        public String started(Room room, Instant at) {
            return "none";
        }

        @Override
        public void joined(String conferenceId, String userId, String name, Instant at) {
        }

        @Override
        public void left(String conferenceId, String userId, Instant at, String reason) {
        }

        @Override
        public void ended(String conferenceId, Instant at, String reason) {
        }
    };
}
