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
 * no forwarding). The room's node is killed: its people resume through the load balancer and keep their places.
 */
class HaproxyClusterTest {

    private static final String JWT_SECRET = "a shared jwt secret for every node behind haproxy";
    private static final String ADMIN = "the admin token of every node behind haproxy";

    @TempDir
    Path work;

    @Test
    void roundRobinAndRoomHashingBothServeOneRoomAndItOutlivesItsNode() throws Exception {
        Path haproxy = haproxy();
        Assumptions.assumeTrue(haproxy != null, "haproxy is not installed (scripts/install-test-deps installs it "
                + "for root)");
        StoreProcess store = StoreProcess.start(Files.createDirectories(work.resolve("store")));
        List<DaemonProcess> nodes = new ArrayList<>();
        Process lb = null;
        HttpClient http = HttpClient.newHttpClient();
        try {
            for (String name : List.of("a", "b", "c")) {
                nodes.add(DaemonProcess.start(Files.createDirectories(work.resolve(name)), "--mongo-uri", store.uri(),
                        "--jwt-secret", JWT_SECRET, "--admin-token", ADMIN, "--node-timeout", "2s"));
            }
            int roundRobin = freePort();
            int hashed = freePort();
            Path cfg = work.resolve("haproxy.cfg");
            Files.writeString(cfg, config(roundRobin, hashed, nodes));
            lb = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("haproxy.log").toFile()).start();
            String rr = "127.0.0.1:" + roundRobin;
            String byRoom = "127.0.0.1:" + hashed;
            awaitUp(http, rr);
            awaitUp(http, byRoom);

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
        } finally {
            if (lb != null) {
                lb.destroyForcibly();
            }
            store.stopAfter(nodes);
        }
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
