package io.kezdesu.signaling.protocol;

/** A refused message: answered with an {@code error} to its sender, the connection stays. */
public final class ProtocolException extends RuntimeException {

    private final SignalingError error;

    public ProtocolException(SignalingError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public SignalingError error() {
        return error;
    }
}
