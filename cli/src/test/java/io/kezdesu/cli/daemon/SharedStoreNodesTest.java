package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.signaling.WsClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * Two signaling daemons on one {@code kezdesu store}: each registers as a node with a heartbeat, and crash recovery
 * closes only the conferences of a node that is dead. Restarting one node used to close the other's live
 * conferences at once.
 */
class SharedStoreNodesTest {

    private static final Pattern URI_LINE = Pattern.compile("^mongodb://127\\.0\\.0\\.1:(\\d+)$");

    @TempDir
    Path storeDir;
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private static DaemonProcess node(Path dir, int storePort) throws Exception {
        return DaemonProcess.start("serve", dir, "--mongo-uri", "mongodb://127.0.0.1:" + storePort,
                "--listening-ip", "127.0.0.1", "--listening-port", "0", "--relay-ip", "127.0.0.1",
                "--conference-heartbeat", "1s", "--node-timeout", "2s");
    }

    @Test
    void aRestartLeavesTheOtherNodesConferenceAndADeadNodesIsClosedAtItsLastHeartbeat() throws Exception {
        Process store = new ProcessBuilder(DaemonProcess.kezdesu("store", "--data-dir", storeDir.toString(),
                "--port", "0")).redirectErrorStream(true).start();
        DaemonProcess a = null;
        DaemonProcess b = null;
        try {
            Matcher m = URI_LINE.matcher(DaemonProcess.awaitLine(store, URI_LINE));
            assertTrue(m.find());
            int storePort = Integer.parseInt(m.group(1));
            a = node(dirA, storePort);
            b = node(dirB, storePort);
            String adminB = Secrets.resolve(Config.defaults(), DataDirectory.open(dirB)).adminToken();
            String room;
            WsClient ws;
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + a.port)) {
                String token = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                room = c.post("/api/rooms", Map.of("name", "On node A"), token).json().path("id").asText();
                ws = WsClient.connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + a.port + "/ws?token=" + token);
                ws.send(Map.of("type", "join", "room", room));
                ws.expect("joined");
            }
            assertEquals(2, nodes(storePort).size(), "both nodes registered");

            // B restarts (a clean stop, then a new run): A's conference is A's business.
            b.process.destroy();
            assertTrue(b.process.waitFor(15, TimeUnit.SECONDS));
            assertEquals(1, nodes(storePort).size(), "a node that stops cleanly leaves the list");
            b = node(dirB, storePort);
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                // Watched through three node timeouts of B's recovery ticks (every 2/3 s): it stays active.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                while (System.nanoTime() < until) {
                    JsonNode conference = conference(c, adminB, room);
                    assertEquals("active", conference.path("status").asText(), conference.toString());
                    Thread.sleep(200); // observing that nothing happens: there is no event to await
                }
                ws.assertAlive();

                // A dies without a word: once its heartbeat is 2 s old, B closes its conference, at A's last
                // heartbeat (before the kill, after the join).
                Instant beforeKill = Instant.now();
                a.process.destroyForcibly();
                assertTrue(a.process.waitFor(10, TimeUnit.SECONDS));
                ws.abort();
                JsonNode ended = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    ended = conference(c, adminB, room);
                    if (ended.path("status").asText().equals("ended")) {
                        break;
                    }
                    Thread.onSpinWait();
                }
                assertEquals("ended", ended.path("status").asText(), String.valueOf(ended));
                assertEquals("crashed", ended.path("endReason").asText(), ended.toString());
                Instant endedAt = Instant.parse(ended.path("endedAt").asText());
                assertTrue(!endedAt.isAfter(beforeKill), ended + " ends by the kill at " + beforeKill);
                assertTrue(endedAt.isAfter(beforeKill.minusSeconds(5)), ended + ": A's last heartbeat was < 1 s "
                        + "before " + beforeKill);
                // The dead node is forgotten; B is the one left.
                long forgotten = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (nodes(storePort).size() != 1 && System.nanoTime() < forgotten) {
                    Thread.onSpinWait();
                }
                assertEquals(1, nodes(storePort).size());
            }
        } finally {
            for (DaemonProcess d : new DaemonProcess[] {a, b}) {
                if (d != null) {
                    d.process.destroy();
                    d.process.waitFor(15, TimeUnit.SECONDS);
                }
            }
            store.destroyForcibly();
        }
    }

    private static JsonNode conference(TestDaemon.Client c, String admin, String room) throws Exception {
        JsonNode list = c.get("/admin/reports?room=" + room, admin).json().path("conferences");
        assertEquals(1, list.size(), list.toString());
        return list.path(0);
    }

    private static List<Document> nodes(int storePort) {
        try (com.mongodb.reactivestreams.client.MongoClient m = com.mongodb.reactivestreams.client.MongoClients
                .create("mongodb://127.0.0.1:" + storePort)) {
            return Flux.from(m.getDatabase("kezdesu").getCollection("nodes").find()).collectList().block();
        }
    }
}
