package io.kezdesu.signaling.cluster;

import io.kezdesu.common.auth.NodeSignature;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** How a node proves a link is a node's: the signature itself, and what /ws makes of it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeSignatureTest {

    private static final byte[] SECRET = "a cluster secret of the test".getBytes(StandardCharsets.UTF_8);

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of("allowed-origins", "https://app.example.org"));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    @Test
    void aSignatureNamesItsNodeOnlyWhileFreshAndUntouched() {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-06T12:00:00Z"));
        NodeSignature nodes = new NodeSignature(SECRET, clock);
        String header = nodes.sign("node-1");
        assertEquals(Optional.of("node-1"), nodes.verify(header));
        assertEquals(Optional.empty(), new NodeSignature("another secret".getBytes(StandardCharsets.UTF_8), clock)
                .verify(header), "another cluster's secret");
        assertEquals(Optional.empty(), nodes.verify(header.replace("node-1", "node-2")), "the id changed");
        String[] parts = header.split("\\.");
        assertEquals(Optional.empty(), nodes.verify(parts[0] + "." + (Long.parseLong(parts[1]) + 1) + "." + parts[2]),
                "the time changed");
        for (String garbage : new String[] {"", ".", "..", "a.b.c", "node-1.x.AAAA", "node-1.1.!!"}) {
            assertEquals(Optional.empty(), nodes.verify(garbage), garbage);
        }
        clock.advance(Duration.ofSeconds(119));
        assertEquals(Optional.of("node-1"), nodes.verify(header), "within two minutes");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), nodes.verify(header), "stale");
    }

    @Test
    void theSocketTakesALinkSignedWithTheClustersSecretFromAnyOriginAndRefusesAForgedOne() throws IOException {
        NodeSignature ours = new NodeSignature(NodeSignature.derive(f.secrets.jwtSecret()), Clock.systemUTC());
        NodeSignature forged = new NodeSignature(SECRET, Clock.systemUTC());
        assertEquals(101, upgrade(ours.sign("node-x"), "https://evil.example"),
                "a node's link carries no page, so no Origin check");
        assertEquals(403, upgrade(forged.sign("node-x"), "-"), "another secret");
        assertEquals(403, upgrade("node-x.1.AAAA", "-"), "garbage");
        assertEquals(403, upgrade(null, "https://evil.example"), "without a signature the Origin check holds");
    }

    @Test
    void onlyASignedNodeMayPassPeerJsMessagesAndAMalformedBatchIsRefused() throws Exception {
        NodeSignature ours = new NodeSignature(NodeSignature.derive(f.secrets.jwtSecret()), Clock.systemUTC());
        NodeSignature forged = new NodeSignature(SECRET, Clock.systemUTC());
        String batch = "{\"messages\":[{\"dst\":\"nobody-here\",\"message\":\"{\\\"type\\\":\\\"OFFER\\\"}\"}]}";
        assertEquals(403, postPeerJs(null, batch).statusCode(), "no signature");
        assertEquals(403, postPeerJs(forged.sign("node-x"), batch).statusCode(), "another cluster's");
        java.net.http.HttpResponse<String> ok = postPeerJs(ours.sign("node-x"), batch);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("{\"delivered\":0}", ok.body(), "nobody by that id is connected here");
        assertEquals(400, postPeerJs(ours.sign("node-x"), "{\"messages\": [").statusCode(), "not JSON");
    }

    private java.net.http.HttpResponse<String> postPeerJs(String node, String body) throws Exception {
        java.net.http.HttpRequest.Builder r = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(f.base() + PeerRoutes.PATH))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (node != null) {
            r.header(NodeSignature.HEADER, node);
        }
        return f.http.send(r.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** The status of an upgrade of /ws with a valid login, this node header (or none) and this Origin ("-": none). */
    private int upgrade(String node, String origin) throws IOException {
        String line = f.upgradeStatusLine((node == null ? "" : NodeSignature.HEADER + ": " + node + "\r\n")
                + (origin.equals("-") ? "" : "Origin: " + origin + "\r\n"));
        return Integer.parseInt(line.split(" ")[1]);
    }
}
