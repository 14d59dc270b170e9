package io.kezdesu.signaling.peerjs;

/**
 * A registered PeerJS id: who owns it (the client's token, or the account when authentication is required), the
 * socket currently speaking for it, and when it last sent a HEARTBEAT.
 */
public final class PeerClient {

    private final String id;
    private final String owner;
    private final byte[] quotedId;
    private volatile PeerLink link;
    private volatile long lastHeartbeatNanos;
    /** This registration in the cluster's directory ({@link PeerDirectory#online}). */
    volatile String registration = "";

    PeerClient(String id, String owner, PeerLink link, long nowNanos) {
        this.id = id;
        this.owner = owner;
        this.quotedId = PeerMessages.quote(id);
        this.link = link;
        this.lastHeartbeatNanos = nowNanos;
    }

    public String id() {
        return id;
    }

    String owner() {
        return owner;
    }

    /** The id as a JSON string literal, ready to splice into relayed messages. */
    byte[] quotedId() {
        return quotedId;
    }

    public PeerLink link() {
        return link;
    }

    void link(PeerLink link, long nowNanos) {
        this.link = link;
        this.lastHeartbeatNanos = nowNanos;
    }

    void heartbeat(long nowNanos) {
        lastHeartbeatNanos = nowNanos;
    }

    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }
}
