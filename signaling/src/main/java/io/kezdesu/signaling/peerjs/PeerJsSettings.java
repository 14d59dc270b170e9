package io.kezdesu.signaling.peerjs;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import java.time.Duration;
import java.util.Optional;

/**
 * The PeerJS endpoint's configuration: peerjs-server's options ({@code path}, {@code key}, {@code allow_discovery},
 * {@code concurrent_limit}, {@code alive_timeout}, {@code expire_timeout}) plus kezdesu's own limits.
 *
 * @param rateLimit messages per second per connection, 0 for no limit
 * @param queueIds offline ids with a queue at once
 * @param queueBytesPerSender bytes one sender may have queued for offline ids
 * @param queueBytes bytes queued for all offline ids together
 */
public record PeerJsSettings(String path, String key, boolean allowDiscovery, int concurrentLimit,
                             Duration aliveTimeout, Duration expireTimeout, int queueLimit, boolean requireAuth,
                             int maxMessageSize, int rateLimit, int queueIds, long queueBytesPerSender,
                             long queueBytes) {

    /** The WebSocket lives below the base path under this name, as in peerjs-server ({@code WS_PATH}). */
    public static final String SOCKET_NAME = "peerjs";

    public PeerJsSettings {
        io.kezdesu.common.config.ConfigRules.peerJsPathProblem(path).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (key.isEmpty() || key.contains("/")) {
            throw new IllegalArgumentException("peerjs-key: '" + key + "' (expected: non-empty, without '/')");
        }
        if (concurrentLimit < 1 || queueLimit < 1 || maxMessageSize < 1024 || rateLimit < 0) {
            throw new IllegalArgumentException("peerjs limits: " + concurrentLimit + " clients, " + queueLimit
                    + " queued, " + maxMessageSize + " B, " + rateLimit + " msg/s (expected: >= 1, >= 1, >= 1024, >= 0)");
        }
        if (queueIds < 1 || queueBytesPerSender < 1 || queueBytes < 1) {
            throw new IllegalArgumentException("peerjs queue limits: " + queueIds + " ids, " + queueBytesPerSender
                    + " B per sender, " + queueBytes + " B (expected: all >= 1)");
        }
        if (aliveTimeout.toMillis() < 100 || expireTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("peerjs timeouts: " + aliveTimeout + ", " + expireTimeout
                    + " (expected: >= 100 ms)");
        }
    }

    /** The settings, or empty when {@code peerjs-enabled} is false. */
    public static Optional<PeerJsSettings> from(Config c) {
        if (!c.get(ConfigKeys.PEERJS_ENABLED)) {
            return Optional.empty();
        }
        return Optional.of(new PeerJsSettings(c.get(ConfigKeys.PEERJS_PATH), c.get(ConfigKeys.PEERJS_KEY),
                c.get(ConfigKeys.PEERJS_ALLOW_DISCOVERY), c.get(ConfigKeys.PEERJS_CONCURRENT_LIMIT),
                c.get(ConfigKeys.PEERJS_ALIVE_TIMEOUT), c.get(ConfigKeys.PEERJS_EXPIRE_TIMEOUT),
                c.get(ConfigKeys.PEERJS_QUEUE_LIMIT), c.get(ConfigKeys.PEERJS_REQUIRE_AUTH),
                Math.toIntExact(c.get(ConfigKeys.PEERJS_MAX_MESSAGE_SIZE)), c.get(ConfigKeys.PEERJS_RATE_LIMIT),
                c.get(ConfigKeys.PEERJS_QUEUE_IDS), c.get(ConfigKeys.PEERJS_QUEUE_BYTES_PER_SENDER),
                c.get(ConfigKeys.PEERJS_QUEUE_BYTES)));
    }

    /** The WebSocket path, e.g. {@code /peerjs/peerjs}. */
    public String socketPath() {
        return path + "/" + SOCKET_NAME;
    }
}
