package io.kezdesu.signaling.room;

import io.kezdesu.common.store.StoreErrors;
import io.kezdesu.signaling.protocol.ClientMessage;
import io.kezdesu.signaling.protocol.ProtocolException;
import io.kezdesu.signaling.protocol.ServerMessages;
import io.kezdesu.signaling.protocol.SignalingError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What the head and moderators do to a live room: kick and ban, ask to mute, promote and demote, lock, admit from the
 * lobby, close. Every method runs under the {@link LiveRoom}'s lock (its callers hold it).
 *
 * <p>A change that must outlive the conference (a ban, a role, the lock, closing) is written first, through the
 * room's {@link SerialWriter} and {@link RoomRepository}, and acted on only once the store has taken it: then the
 * room takes the stored room as it is ({@link #applyStored}) and everyone sees what changed. When the store does not
 * take it, nothing changes and only the moderator hears so. What needs no store (a kick for this conference, a mute
 * request, a lobby answer) happens at once.
 */
final class Moderation {

    private static final Logger LOG = LoggerFactory.getLogger(Moderation.class);

    private final LiveRoom live;

    Moderation(LiveRoom live) {
        this.live = live;
    }

    void kick(Membership actor, ClientMessage.Kick kick) {
        Participant by = moderator(actor);
        Participant target = live.participants.containsKey(kick.to()) ? live.participants.get(kick.to())
                : live.lobby.get(kick.to());
        if (target == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "no participant " + kick.to() + " in this room");
        }
        requireOutranks(by, target, "kick");
        String userId = target.userId;
        if (!kick.ban() || live.room.banned().contains(userId)) {
            kickNow(userId, kick.ban(), by.id);
            return;
        }
        store(() -> live.ctx.rooms().ban(live.room.id(), userId), stored -> kickNow(userId, true, by.id),
                failure -> tell(by, "kick", failure, "the ban"));
    }

    CompletableFuture<Boolean> kickByAdmin(String participantOrUser, boolean ban) {
        Participant p = live.participants.get(participantOrUser);
        String userId = p != null ? p.userId : participantOrUser;
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (!ban || live.room.banned().contains(userId)) {
            done.complete(kickNow(userId, ban, "admin"));
            return done;
        }
        store(() -> live.ctx.rooms().ban(live.room.id(), userId), stored -> done.complete(kickNow(userId, true, "admin")),
                done::completeExceptionally);
        return done;
    }

    /**
     * Removes every session of a user and keeps them out for this conference (a ban, already stored, keeps them out
     * for good); whether they were here.
     */
    private boolean kickNow(String userId, boolean ban, String by) {
        live.kickedOut(userId);
        Instant now = live.ctx.clock().instant();
        String message = ServerMessages.text(ServerMessages.object("kicked").put("by", by).put("ban", ban));
        boolean present = false;
        for (Participant p : List.copyOf(live.participants.values())) {
            if (p.userId.equals(userId)) {
                present = true;
                if (p.seat != null) {
                    p.seat.unseated(); // out before it hears why, as in LiveRoom.evictAll
                }
                live.deliver(p, message);
                live.remove(p, "kicked", now);
            }
        }
        for (Participant p : List.copyOf(live.lobby.values())) {
            if (p.userId.equals(userId)) {
                present = true;
                p.seat.unseated();
                live.deliver(p, message);
                live.removeFromLobby(p);
            }
        }
        live.retireIfEmpty();
        return present;
    }

    void muteRequest(Membership actor, ClientMessage.MuteRequest request) {
        Participant by = moderator(actor);
        Participant target = target(request.to());
        live.deliver(target, ServerMessages.text(ServerMessages.object("mute-request").put("from", by.id)
                .put("kind", request.kind())));
    }

    void promote(Membership actor, ClientMessage.Promote promote) {
        Participant by = head(actor, "promote");
        Participant target = target(promote.to());
        if (target.userId.equals(by.userId)) {
            throw new ProtocolException(SignalingError.BAD_REQUEST, "you already lead this room");
        }
        String id = live.room.id();
        if (promote.role().equals("head")) {
            store(() -> live.ctx.rooms().setHead(id, by.userId, target.userId), null,
                    failure -> tell(by, "promote", failure, "the new head"));
        } else {
            store(() -> live.ctx.rooms().addModerator(id, target.userId), null,
                    failure -> tell(by, "promote", failure, "the new moderator"));
        }
    }

    void demote(Membership actor, ClientMessage.Demote demote) {
        Participant by = head(actor, "demote");
        Participant target = target(demote.to());
        if (live.room.roleOf(target.userId) != Role.MODERATOR) {
            throw new ProtocolException(SignalingError.BAD_REQUEST, demote.to() + " is not a moderator");
        }
        store(() -> live.ctx.rooms().removeModerator(live.room.id(), target.userId), null,
                failure -> tell(by, "demote", failure, "the demotion"));
    }

    void lock(Membership actor, boolean locked) {
        Participant by = moderator(actor);
        // Announced even when it was locked already: the moderator asked, and sees the answer.
        store(() -> live.ctx.rooms().setLocked(live.room.id(), locked), stored -> { },
                failure -> tell(by, "lock", failure, locked ? "the lock" : "the unlock"), true);
    }

    void admit(Membership actor, ClientMessage.Admit answer) {
        moderator(actor);
        Participant waiting = live.lobby.get(answer.to());
        if (waiting == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "nobody " + answer.to() + " is waiting");
        }
        live.answerKnock(waiting, answer.admitted());
    }

    /** The head adds time to the running conference (its regulation's limit). */
    void extend(Membership actor, int minutes) {
        live.extendConference(head(actor, "extend"), minutes);
    }

    /** Closes the room for good once the store says so: everyone is told and removed; the conference ends. */
    void close(Membership actor) {
        Participant by = head(actor, "close");
        store(() -> live.ctx.rooms().close(live.room.id()), null, failure -> tell(by, "close", failure, "closing"));
    }

    /**
     * Takes the room as the store answered it, unless the room already has a newer answer, and shows everyone what
     * changed: roles ({@code role-changed}, and the lobby to a new moderator), settings ({@code room-updated}, also
     * when {@code settingsChanged} says a settings change was asked for), closing (everyone out).
     */
    void applyStored(Room stored, boolean settingsChanged) {
        Room before = live.room;
        if (stored.version() <= before.version()) {
            return;
        }
        live.room = stored;
        for (Participant p : List.copyOf(live.participants.values())) {
            Role now = stored.roleOf(p.userId);
            if (now != before.roleOf(p.userId)) {
                live.broadcast(ServerMessages.text(ServerMessages.object("role-changed").put("id", p.id)
                        .put("userId", p.userId).put("role", now.wire())), null);
                if (now.canModerate()) {
                    for (Participant waiting : live.lobby.values()) {
                        live.deliver(p, RoomViews.knock(waiting));
                    }
                }
            }
        }
        if (stored.closed() && !before.closed()) {
            live.closeRoom();
            return;
        }
        if (settingsChanged || !settings(before).equals(settings(stored))) {
            com.fasterxml.jackson.databind.node.ObjectNode updated = ServerMessages.object("room-updated")
                    .set("room", RoomViews.roomNode(stored));
            // The running conference's end, as the new regulation makes it.
            live.conferenceDeadline().ifPresent(end -> updated.put("endsAt", end.toString()));
            live.broadcast(ServerMessages.text(updated), null);
        }
    }

    /** What {@code room-updated} shows of a room, roles and closing aside. */
    private static Map<String, Object> settings(Room room) {
        Map<String, Object> view = room.publicView();
        view.remove("closed");
        return view;
    }

    // --- store first -------------------------------------------------------------------------------------------------

    private void store(Supplier<Mono<Room>> write, Consumer<Room> then, Consumer<Throwable> failed) {
        store(write, then, failed, false);
    }

    /**
     * Writes through the room's writer; once the store answers, under the room's lock: the stored room is applied and
     * {@code then} runs, or {@code failed} hears why nothing changed (a failure, or {@link NotChanged} when the write
     * matched nothing: the room was closed meanwhile, or handed to another head).
     */
    private void store(Supplier<Mono<Room>> write, Consumer<Room> then, Consumer<Throwable> failed,
                       boolean settingsChanged) {
        live.writer.submit(write, (stored, failure) -> {
            synchronized (live) {
                if (failure != null) {
                    failed.accept(failure);
                } else if (stored == null) {
                    failed.accept(new NotChanged());
                } else {
                    applyStored(stored, settingsChanged);
                    if (then != null) {
                        then.accept(stored);
                    }
                }
                live.retireIfEmpty();
            }
        });
    }

    /** A conditional write matched nothing: the room is closed, gone, or no longer as the change assumed. */
    static final class NotChanged extends RuntimeException {
        NotChanged() {
            super("the room changed meanwhile (closed, or handed to another head): " + "nothing changed", null,
                    false, false);
        }
    }

    /** Tells the moderator who asked that nothing changed, and why (to the socket they have now, if any). */
    private void tell(Participant by, String re, Throwable failure, String what) {
        String message;
        SignalingError error;
        if (failure instanceof NotChanged) {
            error = SignalingError.UNAVAILABLE;
            message = failure.getMessage() + "; try again";
        } else if (StoreErrors.unreachable(failure)) {
            error = SignalingError.UNAVAILABLE;
            message = "the store is unreachable: " + what + " was not made; nothing changed, try again";
        } else {
            LOG.warn("room {}: {} failed", live.room.id(), re, failure);
            error = SignalingError.INTERNAL;
            message = what + " failed; nothing changed";
        }
        if (by.seat != null) {
            by.seat.send(ServerMessages.error(error, message, Optional.of(re)));
        }
    }

    // --- who may ------------------------------------------------------------------------------------------------------

    private Participant moderator(Membership m) {
        Participant p = live.member(m);
        if (!live.room.roleOf(p.userId).canModerate()) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "only the head and moderators may do this");
        }
        return p;
    }

    private Participant head(Membership m, String what) {
        Participant p = live.member(m);
        if (live.room.roleOf(p.userId) != Role.HEAD) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "only the head may " + what);
        }
        return p;
    }

    private Participant target(String id) {
        Participant t = live.participants.get(id);
        if (t == null) {
            throw new ProtocolException(SignalingError.NOT_FOUND, "no participant " + id + " in this room");
        }
        return t;
    }

    private void requireOutranks(Participant by, Participant target, String what) {
        Role a = live.room.roleOf(by.userId);
        Role b = live.room.roleOf(target.userId);
        if (by.userId.equals(target.userId) || a.ordinal() >= b.ordinal()) {
            throw new ProtocolException(SignalingError.FORBIDDEN, "you may not " + what + " " + target.id);
        }
    }
}
