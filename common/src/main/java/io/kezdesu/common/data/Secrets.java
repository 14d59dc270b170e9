package io.kezdesu.common.data;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import java.util.List;

/**
 * The daemon's secrets: each taken from the configuration when set there, otherwise generated once into the data
 * directory. {@link #toString()} shows none of them. {@code jwtSecret} and {@code adminToken} belong to signaling: a
 * process without it (relay only) neither generates nor holds them, and they are null there.
 */
public record Secrets(String jwtSecret, List<String> turnSecrets, String nonceSecret, String adminToken) {

    public static final String JWT_FILE = "jwt-secret";
    public static final String TURN_FILE = "turn-secret";
    public static final String NONCE_FILE = "nonce-secret";
    public static final String ADMIN_TOKEN_FILE = "admin-token";

    /** All four, as a process that runs signaling needs them. */
    public static Secrets resolve(Config config, DataDirectory dir) {
        return resolve(config, dir, true);
    }

    /** With {@code signaling} false, only the relay's two (TURN REST secret and nonce key). */
    public static Secrets resolve(Config config, DataDirectory dir, boolean signaling) {
        String jwt = !signaling ? null : config.find(ConfigKeys.JWT_SECRET)
                .orElseGet(() -> dir.secret(JWT_FILE, "JWT signing secret"));
        List<String> turn = config.get(ConfigKeys.STATIC_AUTH_SECRET);
        if (turn.isEmpty()) {
            turn = List.of(dir.secret(TURN_FILE, "TURN REST secret"));
        }
        String nonce = config.find(ConfigKeys.NONCE_SECRET)
                .orElseGet(() -> dir.secret(NONCE_FILE, "TURN nonce key"));
        String admin = !signaling ? null : config.find(ConfigKeys.ADMIN_TOKEN)
                .orElseGet(() -> dir.secret(ADMIN_TOKEN_FILE, "admin token"));
        return new Secrets(jwt, turn, nonce, admin);
    }

    @Override
    public String toString() {
        return "Secrets[<redacted>]";
    }
}
