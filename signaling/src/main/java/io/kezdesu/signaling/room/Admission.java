package io.kezdesu.signaling.room;

import io.kezdesu.common.config.ConfigKeys.DuplicateJoin;
import io.kezdesu.signaling.protocol.SignalingError;
import java.util.Collection;
import java.util.Set;

/**
 * The one place that decides who may enter a room, from a consistent snapshot (the caller holds the room's lock, so
 * the decision and the admission are one atomic step: a limit of 10 admits exactly 10, however many join at once).
 * Order of checks: closed, schedule (not yet open, expired), banned or kicked, duplicate identity, lock, password, capacity, lobby.
 */
final class Admission {

    enum Outcome { ADMIT, LOBBY, REFUSE }

    /** The verdict; {@code evict} is the same user's older session to replace (policy evict-old). */
    record Decision(Outcome outcome, SignalingError error, String message, Participant evict) {
        static Decision refuse(SignalingError error, String message) {
            return new Decision(Outcome.REFUSE, error, message, null);
        }
    }

    private Admission() {
    }

    /**
     * @param present    joined and suspended participants
     * @param passwordOk whether the joiner presented the room's password (ignored when it has none)
     * @param admitted   whether a moderator admitted the joiner from the lobby (lock, password and lobby then pass)
     */
    static Decision decide(Room room, Collection<Participant> present, Set<String> kicked, String userId,
                           boolean passwordOk, boolean admitted, DuplicateJoin policy, java.time.Instant now) {
        if (room.closed()) {
            return Decision.refuse(SignalingError.ROOM_CLOSED, "this room is closed");
        }
        Regulation r = room.regulation();
        if (r.notBefore() != null && now.isBefore(r.notBefore())) {
            return Decision.refuse(SignalingError.NOT_YET_OPEN, "this room opens at " + r.notBefore());
        }
        if (r.notAfter() != null && !now.isBefore(r.notAfter())) {
            return Decision.refuse(SignalingError.EXPIRED, "this room's time ended at " + r.notAfter());
        }
        Role role = room.roleOf(userId);
        if (role != Role.HEAD && (room.banned().contains(userId) || kicked.contains(userId))) {
            return Decision.refuse(SignalingError.KICKED, "you were removed from this room");
        }
        Participant existing = null;
        for (Participant p : present) {
            if (p.userId.equals(userId)) {
                existing = p;
                break;
            }
        }
        if (existing != null && policy == DuplicateJoin.REJECT_NEW) {
            return Decision.refuse(SignalingError.ALREADY_JOINED, "you are already in this room in another session");
        }
        if (!role.canModerate() && !admitted) {
            if (room.locked()) {
                return Decision.refuse(SignalingError.ROOM_LOCKED, "this room is locked");
            }
            if (room.hasPassword() && !passwordOk) {
                return Decision.refuse(SignalingError.WRONG_PASSWORD, "wrong or missing room password");
            }
        }
        int count = present.size() - (existing == null ? 0 : 1);
        if (count >= room.maxParticipants()) {
            return Decision.refuse(SignalingError.ROOM_FULL,
                    "this room is full (" + room.maxParticipants() + " participants)");
        }
        if (room.lobby() && !role.canModerate() && !admitted) {
            return new Decision(Outcome.LOBBY, null, null, existing);
        }
        return new Decision(Outcome.ADMIT, null, null, existing);
    }
}
