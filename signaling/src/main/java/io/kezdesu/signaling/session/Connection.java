package io.kezdesu.signaling.session;

/** One client socket as the room layer sees it: text out, close. Implementations never block. */
public interface Connection {

    /** Sends one JSON text message; silently dropped when the socket is gone. */
    void send(String json);

    /** As {@link #send(String)}, the message already in UTF-8 (not changed afterwards: it may be written later). */
    void send(byte[] json);

    /** Closes the socket with a WebSocket close code. */
    void close(int code, String reason);

    boolean isOpen();

    /** For logs: the connection id and remote address. */
    String describe();
}
