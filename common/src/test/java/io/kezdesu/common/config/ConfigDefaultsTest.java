package io.kezdesu.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the defaults an operator relies on, and keeps docs/CONFIG.md and the example config in step with the keys. */
class ConfigDefaultsTest {

    @Test
    void defaults() {
        Config c = Config.defaults();
        assertEquals(8080, c.get(ConfigKeys.HTTP_PORT));
        assertEquals("0.0.0.0", c.get(ConfigKeys.HTTP_IP).getHostAddress());
        assertEquals(3478, c.get(ConfigKeys.LISTENING_PORT));
        assertEquals(5349, c.get(ConfigKeys.TLS_LISTENING_PORT));
        assertEquals(49152, c.get(ConfigKeys.MIN_PORT));
        assertEquals(65535, c.get(ConfigKeys.MAX_PORT));
        assertEquals(0, c.get(ConfigKeys.METRICS_PORT));
        assertEquals(false, c.get(ConfigKeys.LEGACY_CHANNEL_NUMBERS));
        assertEquals(64 * 1024L, c.get(ConfigKeys.MAX_BODY_SIZE));
        assertEquals(Duration.ofHours(12), c.get(ConfigKeys.JWT_TTL));
        assertEquals(Duration.ofSeconds(30), c.get(ConfigKeys.CONFERENCE_HEARTBEAT));
        assertEquals(Duration.ofSeconds(600), c.get(ConfigKeys.DEFAULT_ALLOCATE_LIFETIME));
        assertEquals(Duration.ofSeconds(3600), c.get(ConfigKeys.MAX_ALLOCATE_LIFETIME));
        assertEquals(Duration.ofSeconds(300), c.get(ConfigKeys.PERMISSION_LIFETIME));
        assertEquals(Duration.ofSeconds(600), c.get(ConfigKeys.CHANNEL_LIFETIME));
        assertEquals(false, c.get(ConfigKeys.ALLOW_LOOPBACK_PEERS));
        assertEquals(List.of(), c.get(ConfigKeys.STATIC_AUTH_SECRET));
        // peerjs-server 1.0.2's defaults, so a PeerJS deployment moves over unchanged
        assertEquals(true, c.get(ConfigKeys.PEERJS_ENABLED));
        assertEquals("/peerjs", c.get(ConfigKeys.PEERJS_PATH));
        assertEquals("peerjs", c.get(ConfigKeys.PEERJS_KEY));
        assertEquals(false, c.get(ConfigKeys.PEERJS_ALLOW_DISCOVERY));
        assertEquals(5000, c.get(ConfigKeys.PEERJS_CONCURRENT_LIMIT));
        assertEquals(Duration.ofSeconds(90), c.get(ConfigKeys.PEERJS_ALIVE_TIMEOUT));
        assertEquals(Duration.ofSeconds(5), c.get(ConfigKeys.PEERJS_EXPIRE_TIMEOUT));
        assertEquals(false, c.get(ConfigKeys.PEERJS_REQUIRE_AUTH));
        assertEquals(100, c.get(ConfigKeys.PEERJS_RATE_LIMIT));
        assertEquals(10_000, c.get(ConfigKeys.PEERJS_QUEUE_IDS));
        // Hardening: what one client with no account may hold or cost.
        assertEquals(Duration.ofSeconds(10), c.get(ConfigKeys.HEADER_TIMEOUT));
        assertEquals(500, c.get(ConfigKeys.CONNECTIONS_PER_IP));
        assertEquals(List.of(), c.get(ConfigKeys.TRUSTED_PROXIES));
        assertEquals(20, c.get(ConfigKeys.REGISTRATIONS_PER_IP));
        assertEquals(Duration.ofHours(1), c.get(ConfigKeys.REGISTRATION_WINDOW));
        assertEquals(64, c.get(ConfigKeys.PASSWORD_HASH_QUEUE));
        assertEquals(500, c.get(ConfigKeys.ADDRESS_QUOTA));
        assertEquals(Duration.ofSeconds(60), c.get(ConfigKeys.MAX_ALLOCATE_TIMEOUT));
        assertEquals(1L << 20, c.get(ConfigKeys.PEERJS_QUEUE_BYTES_PER_SENDER));
        assertEquals(64L << 20, c.get(ConfigKeys.PEERJS_QUEUE_BYTES));
        assertNull(c.get(ConfigKeys.MONGO_URI));
        assertNull(c.get(ConfigKeys.JWT_SECRET));
        assertTrue(c.get(ConfigKeys.DATA_DIR).endsWith(Path.of("kezdesu")));
    }

    @Test
    void everyKeyIsDocumentedAndInTheExampleConfig() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String doc = Files.readString(root.resolve("docs/CONFIG.md"));
        String example = Files.readString(root.resolve("kezdesu.example.yaml"));
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertTrue(doc.contains("`" + key.name() + "`"), "docs/CONFIG.md lacks " + key.name());
            assertTrue(example.contains(key.name() + ":"), "kezdesu.example.yaml lacks " + key.name());
        }
    }

    @Test
    void theExampleConfigIsValid() {
        Path root = Path.of("").toAbsolutePath().getParent();
        ConfigLoader.load(java.util.Optional.of(root.resolve("kezdesu.example.yaml")), java.util.Map.of(),
                java.util.Map.of());
    }
}
