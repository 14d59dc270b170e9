package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.WsClient;
import java.net.DatagramSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kezdesu serve}: signaling and relay in one process. The TURN credential a joining client receives is
 * minted by signaling and accepted by the relay: coturn's own client relays through it with exactly that credential.
 */
class ServeTest {

    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
    private static final Pattern COUNTS = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void theCredentialInJoinedWorksOnTheRelayBesideIt() throws Exception {
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("allow-loopback-peers", "true"), Daemon.Mode.ALL,
                HttpClient.newHttpClient())) {
            int turnPort = d.daemon().relay().orElseThrow().udpAddresses().get(0).getPort();
            assertTrue(d.daemon().startupLine().contains("turn udp 127.0.0.1:" + turnPort), d.daemon().startupLine());
            String token = d.registerAndLogin("turn@example.org", "T", "turn password");
            String room = d.post("/api/rooms", Map.of("name", "TURN"), token).json().path("id").asText();
            WsClient ws = WsClient.connect(HttpClient.newHttpClient(), d.base().replace("http", "ws") + "/ws?token="
                    + token);
            ws.send(Map.of("type", "join", "room", room));
            JsonNode turn = ws.expect("joined").path("iceServers").path(1);
            assertEquals("turn:127.0.0.1:" + turnPort + "?transport=udp", turn.path("urls").path(0).asText(),
                    "signaling advertises the relay's actual port");

            Assumptions.assumeTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                    "coturn's test clients are installed by ./run-tests (scripts/install-test-deps)");
            int peerPort;
            try (DatagramSocket probe = new DatagramSocket(0)) {
                peerPort = probe.getLocalPort();
            }
            Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                Process client = new ProcessBuilder(UCLIENT.toString(), "-s", "-u", turn.path("username").asText(),
                        "-w", turn.path("credential").asText(), "-e", "127.0.0.1", "-r", String.valueOf(peerPort),
                        "-p", String.valueOf(turnPort), "-n", "20", "-m", "1", "-l", "120", "-z", "5", "127.0.0.1")
                        .redirectErrorStream(true).start();
                assertTrue(client.waitFor(60, TimeUnit.SECONDS), "uclient finished");
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                Matcher lost = LOST.matcher(out);
                Matcher counts = COUNTS.matcher(out);
                assertTrue(lost.find() && counts.find(), out);
                assertEquals("0", lost.group(1), out);
                assertTrue(Integer.parseInt(counts.group(1)) > 0, out);
                assertEquals(counts.group(1), counts.group(2), out);
            } finally {
                peer.destroy();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void signalingAndTheRelayShareOneConnectionBudget() throws Exception {
        // The open-file limit is the process's, so max-connections counts HTTP and TURN-TCP together: with both
        // places taken, an HTTP client is served by closing the TURN connection, idle since before the other
        // HTTP connection's last answer.
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("max-connections", "2"), Daemon.Mode.ALL,
                HttpClient.newHttpClient())) {
            int httpPort = java.net.URI.create(d.base()).getPort();
            java.net.InetSocketAddress turnTcp = d.daemon().relay().orElseThrow().tcpAddresses().get(0);
            java.net.Socket turn = new java.net.Socket(turnTcp.getAddress(), turnTcp.getPort());
            try (java.net.Socket http = new java.net.Socket("127.0.0.1", httpPort)) {
                http.setSoTimeout(20_000);
                assertTrue(health(http, false).startsWith("HTTP/1.1 200 "));
                try (java.net.Socket third = new java.net.Socket("127.0.0.1", httpPort)) {
                    third.setSoTimeout(20_000);
                    assertTrue(health(third, true).startsWith("HTTP/1.1 200 "));
                }
                turn.setSoTimeout(20_000);
                assertEquals(-1, turn.getInputStream().read(), "the idle TURN connection made room");
                assertTrue(health(http, false).startsWith("HTTP/1.1 200 "), "the first is still served");
            } finally {
                turn.close();
            }
        }
    }

    /** GET /healthz; with {@code close} the whole answer to the end, "" when the server closed without one. */
    private static String health(java.net.Socket s, boolean close) throws java.io.IOException {
        try {
            s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (close) {
                return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }
}
