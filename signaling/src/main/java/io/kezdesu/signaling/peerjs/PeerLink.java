package io.kezdesu.signaling.peerjs;

/** One client's socket as the realm sees it: sends never block and keep their order; no Netty types. */
public interface PeerLink {

    /** Queues one JSON text message (UTF-8 bytes, not copied: the caller hands them over). */
    void send(byte[] json);

    /** Closes the socket (a close frame without a status, as peerjs-server's {@code socket.close()}). */
    void close();

    boolean isOpen();
}
