package io.kezdesu.signaling.room;

import io.kezdesu.signaling.account.User;

/**
 * What a room needs of one client's place in it: who sits there, the host name it came in by (for the TURN URLs it
 * is handed), text out, close. The socket layer implements it; nothing here blocks. A room tells the seat when it
 * enters ({@link #seated}) and when it is out again ({@link #unseated}), always under the room's lock.
 */
public interface Seat {

    User user();

    /** The Host the client connected with; TURN URLs in {@code joined.iceServers} name it. */
    String requestHost();

    /** Sends one JSON text message; silently dropped when the socket is gone. */
    void send(String json);

    /** As {@link #send(String)}, the message already in UTF-8 (not changed afterwards: it may be written later). */
    void send(byte[] json);

    /** Closes the socket with a WebSocket close code. */
    void close(int code, String reason);

    /** Whether the socket is gone (a join that finishes after it must not seat anyone). */
    boolean isClosed();

    /** The seat is in a room now (joined, waiting in the lobby, or resumed): {@code membership} acts for it. */
    void seated(Membership membership);

    /** The seat is out of the room it was in. */
    void unseated();
}
