package io.kezdesu.relay.stun;

/**
 * The relay's one exception root: a request failed with a STUN error. Thrown by handlers, turned into an error
 * response in exactly one place ({@code StunDispatcher}). No stack trace: it is control flow on the packet path.
 */
public final class TurnException extends RuntimeException {

    private final StunError error;

    public TurnException(StunError error, String detail) {
        super(error.code() + " " + detail, null, false, false);
        this.error = error;
    }

    public StunError error() {
        return error;
    }
}
