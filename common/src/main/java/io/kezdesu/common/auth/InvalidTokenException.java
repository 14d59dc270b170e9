package io.kezdesu.common.auth;

/** A login token was refused; the message is safe to show to the client. */
public final class InvalidTokenException extends RuntimeException {

    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
