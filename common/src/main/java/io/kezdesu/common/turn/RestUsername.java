package io.kezdesu.common.turn;

import java.time.Instant;
import java.util.Optional;

/**
 * A TURN REST username, {@code "<expiry-unix>:<userId>[:<roomId>]"}: the expiry is the first field so that coturn,
 * pion and eturnal, which read only the leading timestamp, accept our credentials too.
 */
public record RestUsername(Instant expiresAt, String userId, Optional<String> roomId) {

    private static final int MAX_LENGTH = 256;

    /** Parses a username; empty when it does not have the REST shape (a static user, or garbage). */
    public static Optional<RestUsername> parse(String username) {
        if (username == null || username.isEmpty() || username.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String[] parts = username.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[0].length() > 12) {
            return Optional.empty();
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (expiry <= 0 || parts[1].isEmpty() || (parts.length == 3 && parts[2].isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new RestUsername(Instant.ofEpochSecond(expiry), parts[1],
                parts.length == 3 ? Optional.of(parts[2]) : Optional.empty()));
    }

    public String format() {
        return expiresAt.getEpochSecond() + ":" + userId + roomId.map(r -> ":" + r).orElse("");
    }
}
