package io.kezdesu.signaling.protocol;

/**
 * Every error code of the signaling protocol, as sent in {@code {"type":"error","code":…}}. docs/PROTOCOL.md lists
 * them with their meaning; the codes are stable, the messages are for humans.
 */
public enum SignalingError {
    BAD_REQUEST("bad-request"),
    UNAUTHORIZED("unauthorized"),
    NOT_JOINED("not-joined"),
    ALREADY_JOINED("already-joined"),
    NOT_FOUND("not-found"),
    FORBIDDEN("forbidden"),
    ROOM_FULL("room-full"),
    ROOM_LOCKED("room-locked"),
    WRONG_PASSWORD("wrong-password"),
    TOO_MANY_ATTEMPTS("too-many-attempts"),
    KICKED("kicked"),
    DENIED("denied"),
    ROOM_CLOSED("room-closed"),
    NOT_YET_OPEN("not-yet-open"),
    EXPIRED("expired"),
    REPLACED("replaced"),
    RESUME_FAILED("resume-failed"),
    RATE_LIMITED("rate-limited"),
    TOO_BIG("too-big"),
    UNAVAILABLE("unavailable"),
    INTERNAL("internal");

    private final String code;

    SignalingError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
