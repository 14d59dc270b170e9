package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.RelayServer;
import io.kezdesu.relay.probe.ProbeReport;
import io.kezdesu.relay.probe.RelayProbe;
import io.kezdesu.relay.probe.StunUrl;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's metrics on signaling's /metrics under {@code serve}, and on {@code metrics-port} for the relay alone. */
class RelayMetricsExposureTest {

    private static final String SECRET = "metrics-exposure-secret-0123456789";

    @TempDir
    Path dataDir;

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return r.body();
    }

    private static void relayThrough(RelayServer relay) {
        TurnCredential c = new TurnRestCredentials(java.util.List.of(SECRET), Duration.ofHours(1), Clock.systemUTC())
                .mint("metrics", Optional.empty());
        ProbeReport r = RelayProbe.run(new RelayProbe.Options(
                StunUrl.parse("turn:127.0.0.1:" + relay.udpAddresses().get(0).getPort()),
                Optional.of(c.username()), Optional.of(c.password()), 3000, 2));
        assertTrue(r.ok(), r.errors().toString());
    }

    @Test
    void serveAddsTheRelaysMetricsToSignalingsMetrics() throws Exception {
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("allow-loopback-peers", "true",
                "static-auth-secret", SECRET), Daemon.Mode.ALL, HttpClient.newHttpClient())) {
            relayThrough(d.daemon().relay().orElseThrow());
            String text = get(d.base() + "/metrics");
            assertTrue(text.contains("kezdesu_active_rooms"), text);
            assertTrue(text.contains("kezdesu_relay_allocations_created_total 1.0"), text);
            assertTrue(text.contains("kezdesu_relay_packets_relayed_total{direction=\"to_client\"} 2.0"), text);
        }
    }

    @Test
    void relayAloneServesMetricsOnMetricsPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var config = TestDaemon.config(dataDir, Map.of("allow-loopback-peers", "true", "static-auth-secret", SECRET,
                ConfigKeys.METRICS_PORT.name(), String.valueOf(port)));
        try (Daemon d = Daemon.start(config, Daemon.Mode.RELAY, "test")) {
            assertEquals(port, d.metricsAddress().orElseThrow().getPort());
            assertTrue(d.startupLine().contains("metrics http 127.0.0.1:" + port), d.startupLine());
            relayThrough(d.relay().orElseThrow());
            String text = get("http://127.0.0.1:" + port + "/metrics");
            assertTrue(text.contains("kezdesu_relay_allocations_created_total 1.0"), text);
            assertTrue(text.contains("kezdesu_relay_unauthorized_total 1.0"), text);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok\n", health.body());
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            assertTrue(Long.parseLong(head.headers().firstValue("Content-Length").orElseThrow()) > 0);
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
            HttpResponse<String> other = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/healthz/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }

    @Test
    void metricsPortIsOffByDefault() {
        try (Daemon d = Daemon.start(TestDaemon.config(dataDir, Map.of()), Daemon.Mode.RELAY, "test")) {
            assertTrue(d.metricsAddress().isEmpty());
        }
    }

    @Test
    void theRelayAloneMakesOnlyTheSecretsItUses() {
        try (Daemon d = Daemon.start(TestDaemon.config(dataDir, Map.of()), Daemon.Mode.RELAY, "test")) {
            assertTrue(d.relay().isPresent());
        }
        assertTrue(java.nio.file.Files.exists(dataDir.resolve(Secrets.TURN_FILE)));
        assertTrue(java.nio.file.Files.exists(dataDir.resolve(Secrets.NONCE_FILE)));
        assertFalse(java.nio.file.Files.exists(dataDir.resolve(Secrets.JWT_FILE)), "signaling's, not the relay's");
        assertFalse(java.nio.file.Files.exists(dataDir.resolve(Secrets.ADMIN_TOKEN_FILE)), "no admin API here");
    }
}
