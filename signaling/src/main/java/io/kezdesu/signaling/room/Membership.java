package io.kezdesu.signaling.room;

import io.kezdesu.signaling.protocol.ClientMessage;
import java.util.Optional;

/**
 * One seat's place in one live room, handed to the seat when it enters: everything the client may do in the room
 * goes through it. A membership the room has since ended (the participant left, was kicked, resumed on another
 * socket) refuses with {@code not-joined}; each call takes the room's lock.
 */
public final class Membership {

    final LiveRoom room;
    final Participant participant;
    final Seat seat;

    Membership(LiveRoom room, Participant participant, Seat seat) {
        this.room = room;
        this.participant = participant;
        this.seat = seat;
    }

    public String roomId() {
        return room.room().id();
    }

    public void leave() {
        room.leave(this);
    }

    public void relay(ClientMessage.Relay message) {
        room.relay(this, message);
    }

    public void media(ClientMessage.Media media) {
        room.media(this, media);
    }

    public void kick(ClientMessage.Kick kick) {
        room.kick(this, kick);
    }

    public void muteRequest(ClientMessage.MuteRequest request) {
        room.muteRequest(this, request);
    }

    public void promote(ClientMessage.Promote promote) {
        room.promote(this, promote);
    }

    public void demote(ClientMessage.Demote demote) {
        room.demote(this, demote);
    }

    public void lock(boolean locked) {
        room.lock(this, locked);
    }

    public void admit(ClientMessage.Admit answer) {
        room.admit(this, answer);
    }

    public void close() {
        room.close(this);
    }

    public void extend(int minutes) {
        room.extend(this, minutes);
    }

    /**
     * The seat's socket is gone: the participant keeps its place for the resume grace (a lobby knock is withdrawn);
     * with {@code dropped} (the server dropped it: "timeout", "disconnected") it is gone at once for that reason.
     */
    public void connectionLost(Optional<String> dropped) {
        room.connectionLost(this, dropped);
    }
}
