package io.kezdesu.relay.stun;

/** The STUN/TURN error codes this server sends (RFC 8489 §14.8, RFC 8656 §18). */
public enum StunError {
    BAD_REQUEST(400),
    UNAUTHENTICATED(401),
    FORBIDDEN(403),
    UNKNOWN_ATTRIBUTE(420),
    ALLOCATION_MISMATCH(437),
    STALE_NONCE(438),
    ADDRESS_FAMILY_NOT_SUPPORTED(440),
    WRONG_CREDENTIALS(441),
    UNSUPPORTED_TRANSPORT(442),
    PEER_ADDRESS_FAMILY_MISMATCH(443),
    ALLOCATION_QUOTA_REACHED(486),
    SERVER_ERROR(500),
    INSUFFICIENT_CAPACITY(508);

    private final int code;

    StunError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
