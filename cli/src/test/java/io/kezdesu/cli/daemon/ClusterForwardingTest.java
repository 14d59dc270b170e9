package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.WsClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two signaling daemons on one {@code kezdesu store}, as one service: a room lives on the node that holds its lease,
 * and a client on the other node joins it through that node, which forwards. The participant limit holds across
 * nodes; leaving hands the socket back to its own node; when the owner dies, the room is served again by the other
 * node once the lease lapses.
 */
class ClusterForwardingTest {

    private static final String JWT_SECRET = "a shared jwt secret for every node of the test cluster";
    private static final String ADMIN = "the admin token of every node of the test cluster";

    @TempDir
    Path storeDir;
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private static DaemonProcess node(Path dir, StoreProcess store) throws Exception {
        return node(dir, store, JWT_SECRET);
    }

    private static DaemonProcess node(Path dir, StoreProcess store, String jwtSecret, String... more)
            throws Exception {
        List<String> options = new ArrayList<>(List.of("--mongo-uri", store.uri(), "--listening-ip", "127.0.0.1",
                "--listening-port", "0", "--relay-ip", "127.0.0.1", "--jwt-secret", jwtSecret, "--admin-token", ADMIN,
                "--node-timeout", "2s"));
        options.addAll(List.of(more));
        return DaemonProcess.start("serve", dir, options.toArray(String[]::new));
    }

    @Test
    void anOwnerThatFreezesIsNoticedByItsSilenceAndTheRoomMoves() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        DaemonProcess a = null;
        try {
            a = node(dirA, store, JWT_SECRET, "--heartbeat-timeout", "3s");
            daemons.add(a);
            DaemonProcess b = node(dirB, store, JWT_SECRET, "--heartbeat-timeout", "3s");
            daemons.add(b);
            String ada;
            String bob;
            String room;
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + a.port)) {
                ada = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                bob = c.registerAndLogin("bob@example.org", "Bob", "bob's password");
                room = c.post("/api/rooms", Map.of("name", "Frozen"), ada).json().path("id").asText();
            }
            WsClient onA = WsClient.connect(http, "ws://127.0.0.1:" + a.port + "/ws?token=" + ada);
            onA.send(Map.of("type", "join", "room", room));
            onA.expect("joined");
            WsClient bobOnB = WsClient.connect(http, "ws://127.0.0.1:" + b.port + "/ws?token=" + bob);
            bobOnB.send(Map.of("type", "join", "room", room));
            bobOnB.expect("joined");
            // A stops dead (SIGSTOP: no FIN, no answer, as a machine that hangs): B's link hears no ping for
            // heartbeat-timeout and sends Bob off to reconnect.
            String nodeA = leases(store).get(room);
            signal(a, "STOP");
            long frozen = System.nanoTime();
            assertEquals(1013, (int) bobOnB.closed.get(15, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - frozen) / 1e9;
            assertTrue(seconds >= 2, "a link is given up only after silence, not at once: " + seconds + " s");
            // A's lease lapses with its heartbeat (node-timeout 2 s): Bob's next join is served by B.
            JsonNode back = null;
            while (back == null && System.nanoTime() - frozen < TimeUnit.SECONDS.toNanos(20)) {
                WsClient retry = WsClient.connect(http, "ws://127.0.0.1:" + b.port + "/ws?token=" + bob);
                retry.send(Map.of("type", "join", "room", room));
                while (!retry.hasPending() && !retry.closed.isDone()) {
                    Thread.onSpinWait();
                }
                if (retry.hasPending()) {
                    back = retry.next();
                    assertEquals("joined", back.path("type").asText(), back.toString());
                }
            }
            assertTrue(back != null, "B serves the frozen node's room");
            String holder = leases(store).get(room);
            assertTrue(holder != null && !holder.equals(nodeA), "the lease moved from A: " + holder);
            onA.abort();
        } finally {
            if (a != null) {
                signal(a, "CONT");
            }
            store.stopAfter(daemons);
        }
    }

    @Test
    void aNodeCutOffPastItsLeaseHandsTheRoomOverWhenItComesBack() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try {
            DaemonProcess a = node(dirA, store, JWT_SECRET, "--heartbeat-timeout", "30s");
            daemons.add(a);
            DaemonProcess b = node(dirB, store);
            daemons.add(b);
            String ada;
            String bob;
            String room;
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + a.port)) {
                ada = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                bob = c.registerAndLogin("bob@example.org", "Bob", "bob's password");
                room = c.post("/api/rooms", Map.of("name", "Cut off"), ada).json().path("id").asText();
            }
            WsClient onA = WsClient.connect(http, "ws://127.0.0.1:" + a.port + "/ws?token=" + ada);
            onA.send(Map.of("type", "join", "room", room));
            JsonNode adaJoined = onA.expect("joined");
            String nodeA = leases(store).get(room);

            // A stalls past its lease (as if cut off from the store); Bob's join at B takes the room over, Ada
            // waiting in it for her resume.
            signal(a, "STOP");
            long stopped = System.nanoTime();
            JsonNode bobJoined = null;
            while (bobJoined == null && System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(20)) {
                WsClient bobOnB = WsClient.connect(http, "ws://127.0.0.1:" + b.port + "/ws?token=" + bob);
                bobOnB.send(Map.of("type", "join", "room", room));
                while (!bobOnB.hasPending() && !bobOnB.closed.isDone()) {
                    Thread.onSpinWait();
                }
                if (bobOnB.hasPending()) {
                    bobJoined = bobOnB.next();
                }
            }
            assertTrue(bobJoined != null && bobJoined.path("type").asText().equals("joined"), String.valueOf(bobJoined));
            assertEquals(2, bobJoined.path("participants").size(), "Ada's place was taken over: " + bobJoined);
            assertTrue(!nodeA.equals(leases(store).get(room)));

            // A comes back: its renewal finds the room gone and sends Ada over (1012); she resumes at B.
            signal(a, "CONT");
            assertEquals(1012, (int) onA.closed.get(15, TimeUnit.SECONDS));
            Resumes.Resumed back = Resumes.resume(http, "ws://127.0.0.1:" + b.port + "/ws?token=" + ada,
                    adaJoined.path("resumeToken").asText(), System.nanoTime());
            assertEquals(adaJoined.path("you").asText(), back.message().path("you").asText());
            // One conference, B's, still running: A's last writes of it were refused.
            try (TestDaemon.Client viaB = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                JsonNode list = viaB.get("/admin/reports?room=" + room, ADMIN).json().path("conferences");
                assertEquals(1, list.size(), list.toString());
                assertEquals("active", list.path(0).path("status").asText(), list.toString());
            }
        } finally {
            store.stopAfter(daemons);
        }
    }

    @Test
    void peerJsIdsOnTwoNodesReachEachOther() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try {
            DaemonProcess a = node(dirA, store);
            daemons.add(a);
            DaemonProcess b = node(dirB, store);
            daemons.add(b);
            String path = "/peerjs/peerjs?key=peerjs&version=1.5.4&id=";
            WsClient alice = WsClient.connect(http, "ws://127.0.0.1:" + a.port + path + "alice&token=t1");
            alice.expect("OPEN");
            WsClient bob = WsClient.connect(http, "ws://127.0.0.1:" + b.port + path + "bob&token=t2");
            bob.expect("OPEN");
            // Each node records its ids in the store (just after OPEN): wait until both are there.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.find("peers").size() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(2, store.find("peers").size());
            alice.send(Map.of("type", "OFFER", "dst", "bob", "payload", Map.of("sdp", "v=0 from alice")));
            JsonNode offer = bob.expect("OFFER");
            assertEquals("alice", offer.path("src").asText(), offer.toString());
            assertEquals("v=0 from alice", offer.path("payload").path("sdp").asText());
            for (int i = 0; i < 20; i++) {
                bob.send(Map.of("type", "CANDIDATE", "dst", "alice", "payload", Map.of("n", i)));
            }
            for (int i = 0; i < 20; i++) {
                JsonNode c = alice.expect("CANDIDATE");
                assertEquals(i, c.path("payload").path("n").asInt(), "in the order sent");
                assertEquals("bob", c.path("src").asText());
            }
            // Bob leaves: his id leaves the store too.
            bob.close();
            long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.find("peers").size() > 1 && System.nanoTime() < gone) {
                Thread.onSpinWait();
            }
            assertEquals(1, store.find("peers").size());
        } finally {
            store.stopAfter(daemons);
        }
    }

    private static void signal(DaemonProcess d, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(d.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void aNodeWithAnotherSecretIsRefusedAndItsClientIsToldWithoutLosingItsSocket() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try {
            DaemonProcess a = node(dirA, store);
            daemons.add(a);
            DaemonProcess c = node(dirB, store, "another jwt secret, so another cluster secret too");
            daemons.add(c);
            String ada;
            String room;
            String bob;
            try (TestDaemon.Client client = new TestDaemon.Client("http://127.0.0.1:" + a.port)) {
                ada = client.registerAndLogin("ada@example.org", "Ada", "ada's password");
                room = client.post("/api/rooms", Map.of("name", "On A"), ada).json().path("id").asText();
            }
            try (TestDaemon.Client client = new TestDaemon.Client("http://127.0.0.1:" + c.port)) {
                bob = client.registerAndLogin("bob@example.org", "Bob", "bob's password");
            }
            WsClient onA = WsClient.connect(http, "ws://127.0.0.1:" + a.port + "/ws?token=" + ada);
            onA.send(Map.of("type", "join", "room", room));
            onA.expect("joined");
            WsClient bobOnC = WsClient.connect(http, "ws://127.0.0.1:" + c.port + "/ws?token=" + bob);
            bobOnC.send(Map.of("type", "join", "room", room));
            JsonNode refused = bobOnC.expectError("unavailable");
            assertEquals("join", refused.path("re").asText(), refused.toString());
            bobOnC.assertAlive();
            onA.assertAlive();
            assertTrue(!onA.hasPending(), "nobody joined A's room");
        } finally {
            store.stopAfter(daemons);
        }
    }

    @Test
    void aRoomIsServedByItsOwnerToClientsOfEveryNode() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        try {
            DaemonProcess a = node(dirA, store);
            daemons.add(a);
            DaemonProcess b = node(dirB, store);
            daemons.add(b);
            String wsA = "ws://127.0.0.1:" + a.port + "/ws?token=";
            String wsB = "ws://127.0.0.1:" + b.port + "/ws?token=";
            String ada;
            String bob;
            String cy;
            String dan;
            String room;
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + a.port)) {
                ada = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                room = c.post("/api/rooms", Map.of("name", "Two nodes", "maxParticipants", 2,
                        "maxDurationMinutes", 60), ada).json().path("id").asText();
            }
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                bob = c.registerAndLogin("bob@example.org", "Bob", "bob's password");
                cy = c.registerAndLogin("cy@example.org", "Cy", "cy's password");
                dan = c.registerAndLogin("dan@example.org", "Dan", "dan's password");
            }

            // Ada opens the room on A: A holds its lease.
            WsClient onA = WsClient.connect(http, wsA + ada);
            onA.send(Map.of("type", "join", "room", room));
            JsonNode adaJoined = onA.expect("joined");
            String adaId = adaJoined.path("you").asText();
            // Ada, the head, adds ten minutes to the conference's hour: it must outlive the node that ran it.
            onA.send(Map.of("type", "extend", "minutes", 10));
            String endsAt = onA.expect("conference-extended").path("endsAt").asText();
            assertEquals(java.time.Instant.parse(adaJoined.path("endsAt").asText()).plusSeconds(600).toString(), endsAt,
                    adaJoined.toString());
            Map<String, String> leases = leases(store);
            String nodeA = leases.get(room);
            assertTrue(nodeA != null, "A took the room's lease: " + leases);
            // kezdesu nodes, pointed at B, lists both, and the room A serves.
            io.kezdesu.cli.CliRun listed = io.kezdesu.cli.CliRun.run(Map.of(), "nodes", "--server",
                    "http://127.0.0.1:" + b.port, "--token", ADMIN, "--json");
            assertEquals(0, listed.code(), listed.err());
            Map<String, JsonNode> byId = new java.util.HashMap<>();
            listed.json().forEach(n -> byId.put(n.path("id").asText(), n));
            assertEquals(2, byId.size(), listed.out());
            assertEquals("alive", byId.get(nodeA).path("state").asText(), listed.out());
            assertEquals(1, byId.get(nodeA).path("rooms").asInt(), listed.out());
            assertEquals(2, byId.get(nodeA).path("protocol").asInt(), listed.out());
            assertTrue(byId.get(nodeA).path("address").asText().endsWith(":" + a.port), listed.out());
            assertEquals(1, byId.values().stream().filter(n -> n.path("state").asText().equals("this")).count());
            io.kezdesu.cli.CliRun table = io.kezdesu.cli.CliRun.run(Map.of(), "nodes", "--server",
                    "http://127.0.0.1:" + b.port, "--token", ADMIN);
            assertTrue(table.out().contains(nodeA) && table.out().contains("ROOMS")
                    && table.out().contains("PROTOCOL"), table.out());

            // Bob, connected to B, joins it: B forwards to A, and the two talk as if on one server.
            WsClient bobOnB = WsClient.connect(http, wsB + bob);
            bobOnB.send(Map.of("type", "join", "room", room));
            JsonNode joined = bobOnB.expect("joined");
            String bobId = joined.path("you").asText();
            assertEquals(2, joined.path("participants").size(), joined.toString());
            assertEquals(bobId, onA.expect("peer-joined").path("participant").path("id").asText());
            bobOnB.send(Map.of("type", "offer", "to", adaId, "sdp", "v=0 from bob"));
            JsonNode offer = onA.expect("offer");
            assertEquals(bobId, offer.path("from").asText());
            assertEquals("v=0 from bob", offer.path("sdp").asText());
            onA.send(Map.of("type", "answer", "to", bobId, "sdp", "v=0 from ada"));
            assertEquals(adaId, bobOnB.expect("answer").path("from").asText());
            assertEquals(nodeA, leases(store).get(room), "still A's: B did not take it");

            // The admin API of either node acts on the room where it lives: B's view lists who is in it on A.
            try (TestDaemon.Client viaB = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                JsonNode view = viaB.get("/admin/rooms/" + room, ADMIN).json();
                assertEquals(2, view.path("participantCount").asInt(), view.toString());
            }

            // The limit is exact across nodes: a third person on B finds the room full.
            WsClient cyOnB = WsClient.connect(http, wsB + cy);
            cyOnB.send(Map.of("type", "join", "room", room));
            cyOnB.expectError("room-full");
            cyOnB.assertAlive();

            // Bob leaves: his socket is B's own again, and a room created there lives on B.
            bobOnB.send(Map.of("type", "leave"));
            assertEquals(bobId, onA.expect("peer-left").path("id").asText());
            String bRoom;
            try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                bRoom = c.post("/api/rooms", Map.of("name", "On B"), bob).json().path("id").asText();
            }
            bobOnB.send(Map.of("type", "join", "room", bRoom));
            bobOnB.expect("joined");
            String nodeB = leases(store).get(bRoom);
            assertTrue(nodeB != null && !nodeB.equals(nodeA), "B holds its own room: " + leases(store));
            cyOnB.send(Map.of("type", "join", "room", bRoom));
            cyOnB.expect("joined");
            bobOnB.expect("peer-joined");

            // Dan, on B, takes Bob's place in A's room. An administrator kicks him through B: the kick reaches
            // him and Ada where the room lives, and he joins again.
            WsClient danOnB = WsClient.connect(http, wsB + dan);
            danOnB.send(Map.of("type", "join", "room", room));
            String danId = danOnB.expect("joined").path("you").asText();
            onA.expect("peer-joined");
            try (TestDaemon.Client viaB = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                JsonNode kicked = viaB.post("/admin/rooms/" + room + "/kick", Map.of("user", "dan@example.org"),
                        ADMIN).json();
                assertTrue(kicked.path("kicked").asBoolean(), "B's answer is the owner's: " + kicked);
            }
            danOnB.expect("kicked");
            JsonNode left = onA.expect("peer-left");
            assertEquals(danId, left.path("id").asText());
            assertEquals("kicked", left.path("reason").asText());
            danOnB.send(Map.of("type", "join", "room", room));
            danOnB.expectError("kicked"); // for this conference, at the owner
            danOnB.assertAlive();

            // Bob comes back through B; then A dies.
            bobOnB.send(Map.of("type", "leave"));
            cyOnB.expect("peer-left");
            bobOnB.send(Map.of("type", "join", "room", room));
            JsonNode bobJoined = bobOnB.expect("joined");
            String bobAgain = bobJoined.path("you").asText();
            onA.expect("peer-joined");
            String conference;
            try (TestDaemon.Client viaB = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                conference = viaB.get("/admin/reports?room=" + room, ADMIN).json().path("conferences").path(0)
                        .path("id").asText();
            }

            // A dies. Ada (connected to A) and Bob (through B) resume at B with the tokens they hold: B takes the
            // room over with both in it, as they were, and the call goes on; their peer connection never went
            // through signaling.
            a.process.destroyForcibly();
            assertTrue(a.process.waitFor(10, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            assertEquals(1013, (int) bobOnB.closed.get(10, TimeUnit.SECONDS), "B sends Bob off to reconnect");
            Resumes.Resumed adaBack = Resumes.resume(http, wsB + ada, adaJoined.path("resumeToken").asText(), killed);
            Resumes.Resumed bobBack = Resumes.resume(http, wsB + bob, bobJoined.path("resumeToken").asText(), killed);
            assertEquals(adaId, adaBack.message().path("you").asText(), "Ada keeps her place");
            assertEquals(endsAt, adaBack.message().path("endsAt").asText(), "and the time Ada added: "
                    + adaBack.message());
            assertEquals(bobAgain, bobBack.message().path("you").asText(), "Bob keeps his place");
            java.util.Set<String> present = new java.util.HashSet<>();
            bobBack.message().path("participants").forEach(p -> present.add(p.path("id").asText()));
            assertEquals(java.util.Set.of(adaId, bobAgain), present, bobBack.message().toString());
            assertEquals(nodeB, leases(store).get(room), "B holds A's room now");
            // Dan, kicked out of this conference on A, is still out of it at B.
            danOnB.send(Map.of("type", "join", "room", room));
            danOnB.expectError("kicked");
            bobBack.socket().send(Map.of("type", "offer", "to", adaId, "sdp", "v=0 after the failover"));
            JsonNode offerAfter = adaBack.socket().expect("offer");
            assertEquals(bobAgain, offerAfter.path("from").asText());
            // One conference, still running: not a crashed one and a new one.
            try (TestDaemon.Client viaB = new TestDaemon.Client("http://127.0.0.1:" + b.port)) {
                JsonNode list = viaB.get("/admin/reports?room=" + room, ADMIN).json().path("conferences");
                assertEquals(1, list.size(), list.toString());
                assertEquals(conference, list.path(0).path("id").asText());
                assertEquals("active", list.path(0).path("status").asText(), list.toString());
            }
            // B's own room never noticed.
            cyOnB.assertAlive();
        } finally {
            store.stopAfter(daemons);
        }
    }

    private static Map<String, String> leases(StoreProcess store) {
        Map<String, String> out = new java.util.HashMap<>();
        for (Document d : store.find("leases")) {
            out.put(d.getString("_id"), d.getString("node"));
        }
        return out;
    }
}
