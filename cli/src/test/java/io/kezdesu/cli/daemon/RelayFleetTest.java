package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.data.Secrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relays (`kezdesu relay --mongo-uri`) and a signaling node on one `kezdesu store`, each with its own data
 * directory and nothing shared but the store: the TURN secret is agreed through it, signaling hands out both relays,
 * and a drain asked for with `kezdesu relay drain` sends coturn's uclient from the draining relay to the other one
 * (300 Try Alternate), while a call already relayed by the draining relay goes on to its end; then it exits.
 */
class RelayFleetTest {

    private static final String JWT_SECRET = "the relay fleet test's jwt secret, long enough";
    private static final String ADMIN = "relay-fleet-admin-token";
    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
    private static final Pattern COUNTS = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
    /** Generous: bounds how long a broken test waits; never a performance assertion. */
    private static final long WAIT_MS = 30_000;

    @TempDir
    Path storeDir;
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;
    @TempDir
    Path dirS;

    private static DaemonProcess relay(Path dir, StoreProcess store, String... more) throws Exception {
        List<String> options = new ArrayList<>(List.of("--mongo-uri", store.uri(), "--listening-ip", "127.0.0.1",
                "--listening-port", "0", "--relay-ip", "127.0.0.1", "--allow-loopback-peers", "--node-timeout", "3s"));
        options.addAll(List.of(more));
        return DaemonProcess.startRelay(dir, options.toArray(String[]::new));
    }

    @Test
    void aDrainedRelaySendsNewClientsToAnotherWhileItsCallsEndThenExits() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's turnutils are installed by ./run-tests");
        StoreProcess store = StoreProcess.start(storeDir);
        List<DaemonProcess> daemons = new ArrayList<>();
        Process peer = null;
        try {
            int metricsA = freeUdpPort();
            DaemonProcess a = relay(dirA, store, "--region", "eu", "--http-ip", "127.0.0.1", "--metrics-port",
                    String.valueOf(metricsA));
            daemons.add(a);
            DaemonProcess b = relay(dirB, store, "--region", "eu");
            daemons.add(b);
            DaemonProcess s = DaemonProcess.start("signaling", dirS, "--mongo-uri", store.uri(), "--jwt-secret",
                    JWT_SECRET, "--admin-token", ADMIN, "--node-timeout", "3s", "--region", "eu");
            daemons.add(s);
            assertTrue(a.relayId != null && b.relayId != null, "each relay joined the fleet");
            // Nothing shared but the store: the second relay and the signaling node adopted the first one's secret.
            String secret = Files.readString(dirA.resolve(Secrets.TURN_FILE)).strip();
            assertEquals(secret, Files.readString(dirB.resolve(Secrets.TURN_FILE)).strip());
            assertEquals(secret, Files.readString(dirS.resolve(Secrets.TURN_FILE)).strip());

            String token;
            try (TestDaemon.Client c = new TestDaemon.Client(s.base())) {
                token = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                assertEquals(java.util.Set.of(a.turnPort, b.turnPort),
                        java.util.Set.copyOf(turnPorts(c.get("/api/ice-servers", token).json())),
                        "both relays handed out, the same credential for each");
            }
            JsonNode turn = turnEntry(s, token);
            int peerPort = freeUdpPort();
            peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();

            // A call relayed by A over TCP (its allocation ends when the connection closes), long enough to outlast
            // the drain below.
            Process call = uclient(turn, a.turnPort, peerPort, List.of("-t", "-s"), 600, 25);
            awaitRelaying(metricsA);

            Process drain = new ProcessBuilder(DaemonProcess.kezdesu("relay", "drain", a.relayId, "--server",
                    s.base(), "--token", ADMIN)).redirectErrorStream(true).start();
            assertTrue(drain.waitFor(60, TimeUnit.SECONDS));
            String said = new String(drain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, drain.exitValue(), said);
            assertTrue(said.contains("drain requested"), said);
            awaitRelay(s, a.relayId, r -> r.path("state").asText().equals("draining"), "A drains");
            awaitRelay(s, a.relayId, r -> !r.path("handedOut").asBoolean(), "A is no longer handed out");
            io.kezdesu.cli.CliRun listed = io.kezdesu.cli.CliRun.run(Map.of(), "relay", "list", "--server", s.base(),
                    "--token", ADMIN);
            assertEquals(0, listed.code(), listed.err());
            assertTrue(listed.out().lines().anyMatch(l -> l.startsWith(a.relayId) && l.contains("draining")
                    && l.endsWith("no")), listed.out());
            assertTrue(listed.out().lines().anyMatch(l -> l.startsWith(b.relayId) && l.contains("serving")
                    && l.endsWith("yes")), listed.out());
            try (TestDaemon.Client c = new TestDaemon.Client(s.base())) {
                assertEquals(List.of(b.turnPort), turnPorts(c.get("/api/ice-servers", token).json()),
                        "new calls get B only");
            }
            assertTrue(a.process.isAlive(), "A waits for its call");

            // A client that still asks A is sent to B, and its call works there.
            Process redirected = uclient(turn, a.turnPort, peerPort, List.of("-s"), 20, 5);
            String out = finished(redirected);
            assertTrue(out.contains("error 300"), out);
            assertNoLoss(out);

            // The call A was relaying went on through the drain, to its end; then A, empty, exits by itself.
            assertNoLoss(finished(call));
            assertTrue(a.process.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "A exits once its last call ended");
            assertEquals(0, a.process.exitValue());
            awaitRelays(s, list -> list.stream().noneMatch(r -> r.path("id").asText().equals(a.relayId)),
                    "A left the fleet");
        } finally {
            if (peer != null) {
                peer.destroy();
            }
            store.stopAfter(daemons);
        }
    }

    @Test
    void aLoneRelayStoppedWithADrainTimeoutLetsItsCallEndFirst() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's turnutils are installed by ./run-tests");
        String secret = "a-lone-relays-turn-secret";
        int metricsPort = freeUdpPort();
        DaemonProcess relay = DaemonProcess.startRelay(dirA, "--listening-ip", "127.0.0.1", "--listening-port", "0",
                "--relay-ip", "127.0.0.1", "--allow-loopback-peers", "--static-auth-secret", secret,
                "--drain-timeout", "60s", "--http-ip", "127.0.0.1", "--metrics-port", String.valueOf(metricsPort));
        int peerPort = freeUdpPort();
        Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            io.kezdesu.common.turn.TurnCredential c = new io.kezdesu.common.turn.TurnRestCredentials(List.of(secret),
                    java.time.Duration.ofHours(1), java.time.Clock.systemUTC()).mint("ada", java.util.Optional.empty());
            JsonNode turn = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("username", c.username()).put("credential", c.password());
            Process call = uclient(turn, relay.turnPort, peerPort, List.of("-t", "-s"), 600, 25);
            awaitRelaying(metricsPort);
            relay.process.destroy(); // SIGTERM
            // Draining alone, it has nowhere to send a new client: 508.
            String refused = finished(uclient(turn, relay.turnPort, peerPort, List.of("-s"), 5, 5));
            assertTrue(refused.contains("error 508"), refused);
            assertTrue(relay.process.isAlive(), "the relay waits for its call");
            assertNoLoss(finished(call));
            assertTrue(relay.process.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "then stops");
            assertEquals(0, relay.process.exitValue());
        } finally {
            peer.destroy();
            relay.process.destroyForcibly();
        }
    }

    /**
     * Waits until the relay with this metrics port has relayed data: uclient makes several allocations (a probe, then
     * the call's) before it sends, so a first allocation does not yet mean the call is set up.
     */
    private static void awaitRelaying(int metricsPort) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        Pattern relayed = Pattern.compile("(?m)^kezdesu_relay_packets_relayed_total\\{[^}]*} ([0-9.eE+]+)");
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            String text = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = relayed.matcher(text);
            while (m.find()) {
                if (Double.parseDouble(m.group(1)) > 0) {
                    return;
                }
            }
            assertTrue(System.currentTimeMillis() < deadline, "the call's data goes through the relay: " + text);
            Thread.sleep(100);
        }
    }

    private static int freeUdpPort() throws java.io.IOException {
        try (java.net.DatagramSocket free = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    private static List<Integer> turnPorts(JsonNode iceServers) {
        List<Integer> ports = new ArrayList<>();
        String credential = null;
        for (JsonNode server : iceServers) {
            if (!server.has("credential")) {
                continue;
            }
            if (credential != null) {
                assertEquals(credential, server.path("credential").asText());
            }
            credential = server.path("credential").asText();
            String url = server.path("urls").get(0).asText();
            ports.add(Integer.parseInt(url.replaceAll("^turn:127\\.0\\.0\\.1:(\\d+).*$", "$1")));
        }
        return ports;
    }

    private static JsonNode turnEntry(DaemonProcess s, String token) {
        try (TestDaemon.Client c = new TestDaemon.Client(s.base())) {
            for (JsonNode server : c.get("/api/ice-servers", token).json()) {
                if (server.has("credential")) {
                    return server;
                }
            }
        }
        throw new AssertionError("no TURN server handed out");
    }

    private static Process uclient(JsonNode turn, int relayPort, int peerPort, List<String> transport, int messages,
                                   int delayMs) throws Exception {
        List<String> command = new ArrayList<>(List.of(UCLIENT.toString()));
        command.addAll(transport);
        command.addAll(List.of("-u", turn.path("username").asText(), "-w", turn.path("credential").asText(),
                "-e", "127.0.0.1", "-r", String.valueOf(peerPort), "-p", String.valueOf(relayPort),
                "-n", String.valueOf(messages), "-m", "1", "-l", "120", "-z", String.valueOf(delayMs), "127.0.0.1"));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String finished(Process client) throws Exception {
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "uclient finished");
        return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void assertNoLoss(String out) {
        Matcher lost = LOST.matcher(out);
        Matcher counts = COUNTS.matcher(out);
        assertTrue(lost.find() && counts.find(), out);
        assertEquals("0", lost.group(1), out);
        assertTrue(Integer.parseInt(counts.group(1)) > 0, out);
        assertEquals(counts.group(1), counts.group(2), out);
    }

    private static void awaitRelay(DaemonProcess s, String id, Predicate<JsonNode> condition, String what)
            throws InterruptedException {
        awaitRelays(s, list -> list.stream().anyMatch(r -> r.path("id").asText().equals(id) && condition.test(r)),
                what);
    }

    /** Polls the admin API (the fleet changes with heartbeats, which have no event to wait on from here). */
    private static void awaitRelays(DaemonProcess s, Predicate<List<JsonNode>> condition, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        List<JsonNode> last = List.of();
        try (TestDaemon.Client c = new TestDaemon.Client(s.base())) {
            while (System.currentTimeMillis() < deadline) {
                List<JsonNode> relays = new ArrayList<>();
                c.get("/admin/relays", ADMIN).json().path("relays").forEach(relays::add);
                last = relays;
                if (condition.test(relays)) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError(what + ": not within " + WAIT_MS + " ms; relays: " + last);
    }
}
