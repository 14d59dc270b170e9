package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.CliRun;
import io.kezdesu.cli.Main;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.signaling.WsClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store dies (SIGKILL of a real {@code kezdesu store}) under a daemon in the middle of a call, and comes back.
 * While it is gone: the call's signaling goes on, the relay relays, what needs the store answers 503 with a clear
 * message. Once it is back: the daemon answers within 5 s, and nothing it had acknowledged is lost, not even what
 * happened in the call during the outage.
 */
class StoreOutageTest {

    private static final Pattern URI_LINE = Pattern.compile("^mongodb://127\\.0\\.0\\.1:(\\d+)$");

    @TempDir
    Path storeDir;
    @TempDir
    Path nodeDir;

    @Test
    void anOutageRefusesWhatNeedsTheStoreKeepsTheCallAndLosesNothing() throws Exception {
        Process store = startStore(0);
        int port = storePort;
        DaemonProcess node = DaemonProcess.start("serve", nodeDir, "--mongo-uri", "mongodb://127.0.0.1:" + port,
                "--listening-ip", "127.0.0.1", "--listening-port", "0", "--relay-ip", "127.0.0.1",
                "--allow-loopback-peers", "true");
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + node.port)) {
            String ada = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
            String bob = c.registerAndLogin("bob@example.org", "Bob", "bob's password");
            String room = c.post("/api/rooms", Map.of("name", "Through the outage"), ada).json().path("id").asText();
            String ws = "ws://127.0.0.1:" + node.port + "/ws?token=";
            WsClient a = WsClient.connect(HttpClient.newHttpClient(), ws + ada);
            a.send(Map.of("type", "join", "room", room));
            a.expect("joined");
            WsClient b = WsClient.connect(HttpClient.newHttpClient(), ws + bob);
            b.send(Map.of("type", "join", "room", room));
            JsonNode joined = b.expect("joined");
            a.expect("peer-joined");
            JsonNode turn = joined.path("iceServers").path(1);
            String carolToken = c.registerAndLogin("carol@example.org", "Carol", "carol's password");
            String carolId = c.get("/api/me", carolToken).json().path("id").asText();
            WsClient carol = WsClient.connect(HttpClient.newHttpClient(), ws + carolToken);
            carol.send(Map.of("type", "join", "room", room));
            carol.expect("joined");
            a.expect("peer-joined");
            b.expect("peer-joined");
            String admin = Secrets.resolve(Config.defaults(), DataDirectory.open(nodeDir)).adminToken();

            store.destroyForcibly();
            assertTrue(store.waitFor(10, TimeUnit.SECONDS));

            // The call goes on: its signaling lives in the node's memory.
            a.send(Map.of("type", "offer", "to", joined.path("you").asText(), "sdp", "v=0 during the outage"));
            JsonNode offer = b.expect("offer");
            assertEquals("v=0 during the outage", offer.path("sdp").asText());
            // What needs the store says so, and nothing else breaks.
            TestDaemon.Response login = c.login("ada@example.org", "ada's password");
            assertEquals(503, login.status(), login.toString());
            assertEquals("unavailable", login.error());
            assertTrue(login.message().contains("store"), login.message());
            TestDaemon.Response create = c.post("/api/rooms", Map.of("name", "Not now"), ada);
            assertEquals(503, create.status(), create.toString());
            assertEquals(503, c.get("/readyz", null).status());
            assertEquals(200, c.get("/healthz", null).status());
            // The relay needs no store: the credential the call was given still allocates and relays.
            CliRun probe = CliRun.run(Map.of(), "probe", "turn:127.0.0.1:" + node.turnPort, "--user",
                    turn.path("username").asText(), "--password", turn.path("credential").asText(), "--json");
            assertEquals(Main.OK, probe.code(), probe.out() + probe.err());
            assertEquals(5, probe.json().path("turn").path("received").asInt(), probe.out());
            // A ban must outlive the conference, so it is made only once the store has it: now it is refused, 503,
            // and nothing is done (it used to hold in the room at once, the store taking it later or never).
            TestDaemon.Response ban = c.post("/admin/rooms/" + room + "/kick", Map.of("user", carolId, "ban", true),
                    admin);
            assertEquals(503, ban.status(), ban.toString());
            // A kick for this conference needs no store: it works, and what everyone sees is that kick.
            TestDaemon.Response kick = c.post("/admin/rooms/" + room + "/kick", Map.of("user", carolId, "ban", false),
                    admin);
            assertEquals(200, kick.status(), kick.toString());
            JsonNode kicked = carol.expect("kicked");
            assertEquals(false, kicked.path("ban").asBoolean(true), kicked.toString());
            assertEquals("kicked", a.expect("peer-left").path("reason").asText());
            b.expect("peer-left");
            // A moderator's lock over the socket: the moderator is told it was not made, and nobody is told it was.
            a.send(Map.of("type", "lock"));
            JsonNode notStored = a.expectError("unavailable");
            assertEquals("lock", notStored.path("re").asText(), notStored.toString());
            assertTrue(notStored.path("message").asText().contains("nothing changed"), notStored.toString());
            b.assertAlive(); // its next message is the pong: no room-updated came before it
            // Both leave while the store is gone, which ends the conference: its record must still learn it all.
            b.send(Map.of("type", "leave"));
            assertEquals("left", a.expect("peer-left").path("reason").asText());
            a.send(Map.of("type", "leave"));
            a.send(Map.of("type", "ping"));
            a.expect("pong");
            Instant bothLeft = Instant.now();
            // Store calls made after those writes and refused: they have timed out too (same driver, same wait).
            // Twice: the record's writes are coalesced, the second carries the conference's end.
            assertEquals(503, c.login("bob@example.org", "bob's password").status());
            assertEquals(503, c.login("bob@example.org", "bob's password").status());

            Process back = startStore(port);
            try {
                Instant storeBack = Instant.now();
                TestDaemon.Response again = c.login("ada@example.org", "ada's password");
                while (again.status() != 200 && Duration.between(storeBack, Instant.now()).toSeconds() < 10) {
                    Thread.sleep(100); // polling the node, the event awaited; each try is a real login
                    again = c.login("ada@example.org", "ada's password");
                }
                assertEquals(200, again.status(), again.toString());
                Duration recovery = Duration.between(storeBack, Instant.now());
                System.out.printf("store back: logins answered again after %d ms%n", recovery.toMillis());
                assertTrue(recovery.compareTo(Duration.ofSeconds(5)) <= 0, "answered again after " + recovery);
                assertEquals(201, c.post("/api/rooms", Map.of("name", "Now"), ada).status());

                // Neither the refused ban nor the refused lock reached the store later.
                assertRoomStored(port, room, carolId);
                // Nothing acknowledged before the outage is lost, and the leave during it reached the record.
                TestDaemon.Response users = c.get("/admin/users", admin);
                assertTrue(users.json().toString().contains("bob@example.org"), users.toString());
                assertEquals(200, c.get("/api/rooms/" + room, ada).status());
                JsonNode report = awaitEnded(c, admin, room);
                assertEquals(3, report.path("participants").size(), report.toString());
                for (JsonNode p : report.path("participants")) {
                    JsonNode interval = p.path("intervals").path(0);
                    assertEquals(p.path("userId").asText().equals(carolId) ? "kicked" : "left",
                            interval.path("reason").asText(), report.toString());
                    assertTrue(!Instant.parse(interval.path("leftAt").asText()).isAfter(bothLeft), report.toString());
                }
                assertTrue(!Instant.parse(report.path("endedAt").asText()).isAfter(bothLeft), report.toString());
            } finally {
                a.close();
                back.destroy();
                back.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            node.process.destroy();
            assertTrue(node.process.waitFor(15, TimeUnit.SECONDS));
            store.destroyForcibly();
        }
    }

    private int storePort;

    /** {@code kezdesu store} on {@code port} (0: a free one); returns once it printed its URI. */
    private Process startStore(int port) throws Exception {
        Process p = new ProcessBuilder(DaemonProcess.kezdesu("store", "--data-dir", storeDir.toString(), "--port",
                String.valueOf(port))).redirectErrorStream(true).start();
        Matcher m = URI_LINE.matcher(DaemonProcess.awaitLine(p, URI_LINE));
        assertTrue(m.find());
        storePort = Integer.parseInt(m.group(1));
        return p;
    }

    /** The room as stored: carol not banned, not locked (both were refused while the store was gone). */
    private static void assertRoomStored(int storePort, String room, String userId) {
        try (com.mongodb.reactivestreams.client.MongoClient m = com.mongodb.reactivestreams.client.MongoClients
                .create("mongodb://127.0.0.1:" + storePort)) {
            org.bson.Document doc = reactor.core.publisher.Mono.from(m.getDatabase("kezdesu").getCollection("rooms")
                    .find(new org.bson.Document("_id", room)).first()).block();
            assertTrue(doc != null, "room " + room + " is stored");
            assertTrue(!doc.getList("banned", String.class, java.util.List.of()).contains(userId), doc.toJson());
            assertTrue(!doc.getBoolean("locked", false), doc.toJson());
        }
    }

    private static JsonNode awaitEnded(TestDaemon.Client c, String admin, String room) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = c.get("/admin/reports?room=" + room, admin).json().path("conferences");
            if (list.size() == 1 && list.path(0).path("status").asText().equals("ended")) {
                return c.get("/admin/reports/" + list.path(0).path("id").asText(), admin).json();
            }
            Thread.sleep(100); // the record's retry is what is awaited; nothing to subscribe to from outside
        }
        throw new AssertionError("the conference that ended in the outage never reached the store: " + list);
    }
}
