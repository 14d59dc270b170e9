package io.kezdesu.common.turn;

import java.time.Instant;

/** A TURN credential as handed to a client in RTCIceServer form. {@link #toString()} hides the password. */
public record TurnCredential(String username, String password, Instant expiresAt) {

    @Override
    public String toString() {
        return "TurnCredential[username=" + username + ", expiresAt=" + expiresAt + "]";
    }
}
