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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two signaling daemons on one {@code kezdesu store}: each registers as a node with a heartbeat, and crash recovery
 * closes only the conferences of a node that is dead. Restarting one node used to close the other's live
 * conferences at once.
 */
class SharedStoreNodesTest {

    @TempDir
    Path storeDir;
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private static DaemonProcess node(Path dir, StoreProcess store, String... more) throws Exception {
        List<String> options = new java.util.ArrayList<>(List.of("--mongo-uri", store.uri(),
                "--listening-ip", "127.0.0.1", "--listening-port", "0", "--relay-ip", "127.0.0.1",
                "--node-timeout", "2s", "--resume-grace", "2s"));
        options.addAll(List.of(more));
        return DaemonProcess.start("serve", dir, options.toArray(String[]::new));
    }

    /** A webhook receiver on loopback: the type and data of each event it is sent. */
    private final java.util.concurrent.BlockingQueue<JsonNode> hooks = new java.util.concurrent.LinkedBlockingQueue<>();
    private com.sun.net.httpserver.HttpServer receiver;

    private String startReceiver() throws Exception {
        receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            hooks.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(exchange.getRequestBody()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook whsec_"
                + java.util.Base64.getEncoder().encodeToString("sixteen-or-more-bytes-of-key".getBytes());
    }

    @org.junit.jupiter.api.AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private JsonNode nextHook() throws InterruptedException {
        JsonNode hook = hooks.poll(30, TimeUnit.SECONDS);
        assertTrue(hook != null, "a webhook arrived");
        return hook;
    }

    @Test
    void aRestartLeavesTheOtherNodesConferenceAndADeadNodesIsClosedAtItsLastHeartbeat() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        DaemonProcess a = null;
        DaemonProcess b = null;
        try {
            // Only B sends webhooks: what it tells of A's conference is what its crash recovery finds.
            String hook = startReceiver();
            a = node(dirA, store);
            b = node(dirB, store, "--webhooks", hook);
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
            assertEquals(2, store.find("nodes").size(), "both nodes registered");

            // B restarts (a clean stop, then a new run): A's conference is A's business.
            b.process.destroy();
            assertTrue(b.process.waitFor(15, TimeUnit.SECONDS));
            assertEquals(1, store.find("nodes").size(), "a node that stops cleanly leaves the list");
            b = node(dirB, store, "--webhooks", hook);
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                // Watched through three node timeouts of B's recovery ticks (every 2/3 s): it stays active.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                while (System.nanoTime() < until) {
                    JsonNode conference = conference(c, adminB, room);
                    assertEquals("active", conference.path("status").asText(), conference.toString());
                    Thread.sleep(200); // observing that nothing happens: there is no event to await
                }
                ws.assertAlive();

                // A dies without a word: once its heartbeat is 2 s old, and nobody came back to take the conference
                // over in a resume grace (2 s), B closes it, at A's last heartbeat (before the kill, after the join).
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
                // B's receiver hears that Ada left and that the conference ended, both for the crash, at that moment.
                JsonNode left = nextHook();
                JsonNode over = nextHook();
                assertEquals("participant.left", left.path("type").asText(), left.toString());
                assertEquals("conference.ended", over.path("type").asText(), over.toString());
                for (JsonNode h : List.of(left, over)) {
                    assertEquals("crashed", h.path("data").path("reason").asText(), h.toString());
                    assertEquals(ended.path("id").asText(), h.path("data").path("conference").asText(), h.toString());
                    assertEquals(endedAt, Instant.parse(h.path("timestamp").asText()), h.toString());
                }
                assertEquals(0, left.path("data").path("participantCount").asInt(-1), left.toString());
                // The dead node is forgotten; B is the one left.
                long forgotten = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (store.find("nodes").size() != 1 && System.nanoTime() < forgotten) {
                    Thread.onSpinWait();
                }
                assertEquals(1, store.find("nodes").size());
            }
        } finally {
            store.stopAfter(java.util.Arrays.asList(a, b));
        }
    }

    private static JsonNode conference(TestDaemon.Client c, String admin, String room) throws Exception {
        JsonNode list = c.get("/admin/reports?room=" + room, admin).json().path("conferences");
        assertEquals(1, list.size(), list.toString());
        return list.path(0);
    }
}
