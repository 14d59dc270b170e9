package io.kezdesu.common.data;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's secrets: each taken from the configuration when set there, otherwise generated once into the data
 * directory. With a store, the ones every node and relay of a cluster must share (the TURN REST secret, the nonce key,
 * the admin token) are agreed through it: the first process to start offers its own, every later one adopts the
 * stored value (and rewrites its file, which the CLI reads the admin token from). The JWT secret is never stored:
 * configuring the same one is what makes nodes on one store a cluster. {@link #toString()} shows none of them.
 * {@code jwtSecret} and {@code adminToken} belong to signaling: a process without it (relay only) neither generates
 * nor holds them, and they are null there.
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
        return resolve(config, dir, signaling, Optional.empty());
    }

    /** As {@link #resolve(Config, DataDirectory, boolean)}, the shared ones agreed through {@code shared}. */
    public static Secrets resolve(Config config, DataDirectory dir, boolean signaling, Optional<Shared> shared) {
        String jwt = !signaling ? null : config.find(ConfigKeys.JWT_SECRET)
                .orElseGet(() -> dir.secret(JWT_FILE, "JWT signing secret"));
        List<String> turn = config.get(ConfigKeys.STATIC_AUTH_SECRET);
        if (turn.isEmpty()) {
            turn = List.of(agreed(dir, TURN_FILE, "TURN REST secret", shared));
        }
        String nonce = config.find(ConfigKeys.NONCE_SECRET)
                .orElseGet(() -> agreed(dir, NONCE_FILE, "TURN nonce key", shared));
        String admin = !signaling ? null : config.find(ConfigKeys.ADMIN_TOKEN)
                .orElseGet(() -> agreed(dir, ADMIN_TOKEN_FILE, "admin token", shared));
        return new Secrets(jwt, turn, nonce, admin);
    }

    private static String agreed(DataDirectory dir, String file, String what, Optional<Shared> shared) {
        String own = dir.secret(file, what);
        if (shared.isEmpty()) {
            return own;
        }
        String value = shared.get().agree(file, own);
        if (!value.equals(own)) {
            dir.replaceSecret(file, value);
            LOG.info("adopted the cluster's {} from the store into {}", what, dir.resolve(file));
        }
        return value;
    }

    /** Where the processes of one cluster agree on a secret: the first value offered under a name is everyone's. */
    @FunctionalInterface
    public interface Shared {
        /** The value stored under {@code name}, which is {@code offer} when nothing was stored yet. */
        String agree(String name, String offer);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Secrets.class);

    @Override
    public String toString() {
        return "Secrets[<redacted>]";
    }
}
