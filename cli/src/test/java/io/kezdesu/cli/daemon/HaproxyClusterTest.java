package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.WsClient;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three signaling nodes on one store behind a real HAProxy, configured as docs/CLUSTER.md says: round robin (each
 * socket on whichever node, the room reached by forwarding) and hashing on the room (a room's sockets on one node,
 * no forwarding). The room's node is killed: its people resume through the load balancer and keep their places. A
 * thousand racing joins spread over the nodes admit exactly a room's limit, and a ban holds at every node.
 */
class HaproxyClusterTest {

    private static final String JWT_SECRET = "a shared jwt secret for every node behind haproxy";
    private static final String ADMIN = "the admin token of every node behind haproxy";

    @TempDir
    Path work;

    /** Three nodes on one store behind HAProxy (both recipes), as the tests below run them. */
    private final class Cluster implements AutoCloseable {
        final StoreProcess store;
        final List<DaemonProcess> nodes = new ArrayList<>();
        final String rr;
        final String byRoom;
        private Process lb;

        Cluster(Path haproxy, HttpClient http, String nodeTimeout, String... options) throws Exception {
            store = StoreProcess.start(Files.createDirectories(work.resolve("store")));
            try {
                for (String name : List.of("a", "b", "c")) {
                    List<String> args = new ArrayList<>(List.of("--mongo-uri", store.uri(), "--jwt-secret",
                            JWT_SECRET, "--admin-token", ADMIN, "--node-timeout", nodeTimeout));
                    args.addAll(List.of(options));
                    nodes.add(DaemonProcess.start(Files.createDirectories(work.resolve(name)),
                            args.toArray(String[]::new)));
                }
                int roundRobin = freePort();
                int hashed = freePort();
                Path cfg = work.resolve("haproxy.cfg");
                Files.writeString(cfg, config(roundRobin, hashed, nodes));
                lb = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
                        .redirectOutput(work.resolve("haproxy.log").toFile()).start();
                rr = "127.0.0.1:" + roundRobin;
                byRoom = "127.0.0.1:" + hashed;
                awaitUp(http, rr);
                awaitUp(http, byRoom);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (lb != null) {
                lb.destroyForcibly();
            }
            store.stopAfter(nodes);
        }
    }

    private static Path haproxyOrSkip() {
        Path haproxy = haproxy();
        Assumptions.assumeTrue(haproxy != null, "haproxy is not installed (scripts/install-test-deps installs it "
                + "for root)");
        return haproxy;
    }

    @Test
    void roundRobinAndRoomHashingBothServeOneRoomAndItOutlivesItsNode() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // A short node-timeout: the room is served again soon after its node dies.
        try (Cluster cluster = new Cluster(haproxyOrSkip(), http, "2s")) {
            StoreProcess store = cluster.store;
            List<DaemonProcess> nodes = cluster.nodes;
            String rr = cluster.rr;
            String byRoom = cluster.byRoom;
            List<String> tokens = new ArrayList<>();
            String room;
            String room2;
            try (TestDaemon.Client c = new TestDaemon.Client("http://" + rr)) {
                for (String who : List.of("ada", "bob", "cy")) {
                    tokens.add(c.registerAndLogin(who + "@example.org", who, who + "'s password"));
                }
                room = c.post("/api/rooms", Map.of("name", "Round robin"), tokens.get(0)).json().path("id").asText();
                room2 = c.post("/api/rooms", Map.of("name", "By room"), tokens.get(0)).json().path("id").asText();
            }

            // Round robin: the three sockets land on three nodes; two reach the room through its node.
            List<WsClient> sockets = new ArrayList<>();
            List<JsonNode> joined = new ArrayList<>();
            for (String token : tokens) {
                WsClient ws = WsClient.connect(http, "ws://" + rr + "/ws?token=" + token + "&room=" + room);
                ws.send(Map.of("type", "join", "room", room));
                joined.add(ws.expect("joined"));
                sockets.add(ws);
            }
            assertEquals(3, joined.get(2).path("participants").size(), joined.get(2).toString());
            sockets.get(2).send(Map.of("type", "offer", "to", joined.get(0).path("you").asText(), "sdp", "v=0"));
            assertEquals(joined.get(2).path("you").asText(), sockets.get(0).await("offer").path("from").asText());
            assertEquals(2, forwarded(http, nodes), "two of three sockets forwarded");

            // Hashing on the room: a room's sockets all land on one node, and nothing is forwarded.
            List<WsClient> together = new ArrayList<>();
            for (String token : tokens) {
                WsClient ws = WsClient.connect(http, "ws://" + byRoom + "/ws?token=" + token + "&room=" + room2);
                ws.send(Map.of("type", "join", "room", room2));
                ws.expect("joined");
                together.add(ws);
            }
            assertEquals(2, forwarded(http, nodes), "the hashed room's sockets are all at its node");
            together.forEach(WsClient::close);

            // The round-robin room's node dies: its people resume through HAProxy and keep their places.
            DaemonProcess owner = owner(store, room, nodes);
            owner.process.destroyForcibly();
            assertTrue(owner.process.waitFor(10, TimeUnit.SECONDS));
            long killed = System.nanoTime();
            Set<String> back = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                assertTrue(sockets.get(i).closed.get(15, TimeUnit.SECONDS) != null);
                JsonNode resumed = Resumes.resume(http, "ws://" + rr + "/ws?token=" + tokens.get(i) + "&room=" + room,
                        joined.get(i).path("resumeToken").asText(), killed).message();
                assertEquals(joined.get(i).path("you").asText(), resumed.path("you").asText());
                back.add(resumed.path("you").asText());
            }
            assertEquals(3, back.size());
        }
    }

    /**
     * A thousand people race into a room of ten through round robin, so their sockets are spread over the three nodes
     * and two thirds reach the room by forwarding: exactly ten get in. Then a ban given through one node holds at
     * every node.
     */
    @Test
    void aThousandRacingJoinsOverThreeNodesAdmitExactlyTenAndABanHoldsEverywhere() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        // A thousand people from one address (loopback, through HAProxy): over connections-per-ip. The default
        // node-timeout: a burst that keeps a node of this small machine busy for seconds must not cost it its leases.
        try (Cluster cluster = new Cluster(haproxyOrSkip(), http, "10s", "--connections-per-ip", "0")) {
            io.kezdesu.common.auth.JwtService jwt = new io.kezdesu.common.auth.JwtService(JWT_SECRET,
                    io.kezdesu.common.config.Config.defaults().get(io.kezdesu.common.config.ConfigKeys.JWT_ISSUER),
                    java.time.Duration.ofHours(1), java.time.Clock.systemUTC());
            List<String> tokens = users(cluster.store, jwt, 1001);
            String head = tokens.get(0);
            String room;
            try (TestDaemon.Client c = new TestDaemon.Client("http://" + cluster.rr)) {
                room = c.post("/api/rooms", Map.of("name", "Ten seats", "maxParticipants", 10), head).json()
                        .path("id").asText();
            }
            List<WsClient> racers = new ArrayList<>();
            for (String token : tokens.subList(1, tokens.size())) {
                racers.add(WsClient.connect(http, "ws://" + cluster.rr + "/ws?token=" + token));
            }
            WsClient.sendAllAtOnce(racers, Map.of("type", "join", "room", room));
            List<WsClient> admitted = new ArrayList<>();
            int full = 0;
            for (WsClient c : racers) {
                // A thousand answers from three JVMs on two shared cores: generous, never a performance assertion.
                JsonNode answer = c.next(java.time.Duration.ofSeconds(90));
                if (answer.path("type").asText().equals("joined")) {
                    admitted.add(c);
                } else if (answer.path("code").asText().equals("room-full")) {
                    full++;
                } else {
                    throw new AssertionError("unexpected answer " + answer);
                }
            }
            assertEquals(10, admitted.size());
            assertEquals(990, full);
            try (TestDaemon.Client c = new TestDaemon.Client("http://" + cluster.rr)) {
                assertEquals(10, c.get("/admin/rooms/" + room, ADMIN).json().path("participantCount").asInt());
            }

            // Banned through one node (which passes the kick to the room's), the first of the ten is out, and no
            // node lets them back in.
            WsClient banned = admitted.get(0);
            int who = 1 + racers.indexOf(banned);
            try (TestDaemon.Client viaFirst = new TestDaemon.Client(cluster.nodes.get(0).base())) {
                assertEquals(200, viaFirst.post("/admin/rooms/" + room + "/kick", Map.of("user", "racer" + who,
                        "ban", true), ADMIN).status());
            }
            banned.await("kicked");
            for (DaemonProcess node : cluster.nodes) {
                WsClient again = WsClient.connect(http, "ws://127.0.0.1:" + node.port + "/ws?token="
                        + tokens.get(who));
                again.send(Map.of("type", "join", "room", room));
                again.expectError("kicked");
                again.close();
            }
            racers.forEach(WsClient::close);
        }
    }

    /** {@code n} accounts written straight into the store (no password: they sign in by token only), their tokens. */
    private static List<String> users(StoreProcess store, io.kezdesu.common.auth.JwtService jwt, int n) {
        List<Document> docs = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        java.util.Date now = new java.util.Date();
        for (int i = 0; i < n; i++) {
            String id = "racer" + i;
            docs.add(new Document("_id", id).append("email", id + "@example.org").append("name", "Racer " + i)
                    .append("passwordHash", "$none").append("disabled", false).append("createdAt", now)
                    .append("updatedAt", now).append("tokenVersion", 0L));
            tokens.add(jwt.issue(id, 0).token());
        }
        try (com.mongodb.reactivestreams.client.MongoClient m = com.mongodb.reactivestreams.client.MongoClients
                .create(store.uri())) {
            reactor.core.publisher.Mono.from(m.getDatabase("kezdesu").getCollection("users").insertMany(docs))
                    .block(java.time.Duration.ofSeconds(30));
        }
        return tokens;
    }

    private static Path haproxy() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "haproxy");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The recipe of docs/CLUSTER.md, one frontend for each balancing, on loopback ports. */
    private static String config(int roundRobin, int hashed, List<DaemonProcess> nodes) {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            servers.append("  server n").append(i).append(" 127.0.0.1:").append(nodes.get(i).port)
                    .append(" check inter 1s fall 3 rise 1\n");
        }
        return """
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  timeout tunnel 1h
                  timeout check 5s
                  option redispatch
                  retries 3
                  option httpchk GET /readyz
                frontend round_robin
                  bind 127.0.0.1:%d
                  default_backend nodes
                frontend by_room
                  bind 127.0.0.1:%d
                  default_backend nodes_by_room
                backend nodes
                  balance roundrobin
                %sbackend nodes_by_room
                  balance url_param room
                  hash-type consistent
                %s""".formatted(roundRobin, hashed, servers, servers);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitUp(HttpClient http, String hostPort) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        java.net.URI.create("http://" + hostPort + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // HAProxy not listening yet, or no node checked healthy yet
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("HAProxy at " + hostPort + " never answered /readyz");
    }

    /** kezdesu_forwarded_sessions over every live node, read from each one's /metrics. */
    private static int forwarded(HttpClient http, List<DaemonProcess> nodes) throws Exception {
        int sum = 0;
        for (DaemonProcess n : nodes) {
            if (!n.process.isAlive()) {
                continue;
            }
            String metrics = http.send(HttpRequest.newBuilder(java.net.URI.create(n.base() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.lines().toList()) {
                if (line.startsWith("kezdesu_forwarded_sessions ")) {
                    sum += (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
                }
            }
        }
        return sum;
    }

    /** The node whose lease the room is under, by the port it registered. */
    private static DaemonProcess owner(StoreProcess store, String room, List<DaemonProcess> nodes) {
        String node = null;
        for (Document d : store.find("leases")) {
            if (d.getString("_id").equals(room)) {
                node = d.getString("node");
            }
        }
        for (Document d : store.find("nodes")) {
            if (d.getString("_id").equals(node)) {
                for (DaemonProcess n : nodes) {
                    if (d.getString("address").endsWith(":" + n.port)) {
                        return n;
                    }
                }
            }
        }
        throw new AssertionError("no node holds room " + room);
    }
}
