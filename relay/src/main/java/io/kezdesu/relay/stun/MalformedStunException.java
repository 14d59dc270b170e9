package io.kezdesu.relay.stun;

/** A packet that is not a valid STUN message; RFC 8489 §6.3 says to discard it silently. */
public final class MalformedStunException extends Exception {

    public MalformedStunException(String message) {
        super(message, null, false, false);
    }
}
