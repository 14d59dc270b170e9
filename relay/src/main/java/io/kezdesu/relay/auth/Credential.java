package io.kezdesu.relay.auth;

import java.util.Optional;

/**
 * An authenticated TURN user: the username as sent, the long-term key that verified it, and the quota subjects
 * (REST user id and room, or the static user's name).
 */
public record Credential(String username, byte[] key, String userId, Optional<String> roomId) {

    @Override
    public String toString() {
        return "Credential[" + username + "]";
    }
}
