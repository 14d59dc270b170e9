package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.turn.TurnCredential;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interop with the real coturn test client: {@code turnutils_uclient} allocates, permits, binds channels and
 * relays through us to {@code turnutils_peer} (an echo) or, with {@code -y}, between its own allocations.
 */
class CoturnClientTest {

    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    /** Bounds a hung subprocess; never a performance threshold. */
    private static final long PROCESS_TIMEOUT_SECONDS = 120;
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
    private static final Pattern SENT_RECEIVED =
            Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    @BeforeAll
    static void coturnInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's turnutils are not installed");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp to echo peer,''", "tcp to echo peer,-t", "udp client-to-client,-y", "tcp client-to-client,-t -y"})
    void relaysEveryPacket(String name, String flags) throws Exception {
        int peerPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            peerPort = probe.getLocalPort();
        }
        // turnutils_uclient picks channel numbers from RFC 5766's 0x4000–0x7FFF.
        try (RelayServer server = RelayServer.start(TestRelays.relayConfig(c -> c).withLegacyChannelNumbers())) {
            Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                TurnCredential credential = TestRelays.credential("coturn", "interop");
                List<String> command = new ArrayList<>(List.of(UCLIENT.toString(),
                        "-u", credential.username(), "-w", credential.password(),
                        "-e", "127.0.0.1", "-r", String.valueOf(peerPort),
                        "-p", String.valueOf(server.udpAddresses().get(0).getPort()),
                        "-n", "50", "-m", "2", "-l", "120", "-z", "5"));
                for (String f : flags.split(" ")) {
                    if (!f.isBlank()) {
                        command.add(f);
                    }
                }
                command.add("127.0.0.1");
                String output = run(command);
                Matcher lost = LOST.matcher(output);
                Matcher counts = SENT_RECEIVED.matcher(output);
                assertTrue(lost.find() && counts.find(), () -> "unexpected uclient output:\n" + output);
                assertEquals("0", lost.group(1), () -> output);
                assertTrue(Integer.parseInt(counts.group(1)) > 0, () -> output);
                assertEquals(counts.group(1), counts.group(2), () -> output);
            } finally {
                peer.destroy();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The other two ways a client authenticates: a static {@code user}, and uclient minting from the secret (-W). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"static user", "REST secret (-W)"})
    void authenticatesStaticUsersAndSecretMintedCredentials(String mode) throws Exception {
        int peerPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            peerPort = probe.getLocalPort();
        }
        boolean staticUser = mode.startsWith("static");
        try (RelayServer server = RelayServer.start(TestRelays.relayConfig(c -> c.with(
                io.kezdesu.common.config.ConfigKeys.USER,
                List.of(new io.kezdesu.common.config.NamedSecret("alice", "alice-password-123"))))
                .withLegacyChannelNumbers())) {
            Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                List<String> command = new ArrayList<>(List.of(UCLIENT.toString()));
                command.addAll(staticUser ? List.of("-u", "alice", "-w", "alice-password-123")
                        : List.of("-u", "uclient", "-W", TestRelays.TURN_SECRET));
                command.addAll(List.of("-e", "127.0.0.1", "-r", String.valueOf(peerPort),
                        "-p", String.valueOf(server.udpAddresses().get(0).getPort()),
                        "-n", "20", "-m", "1", "-l", "120", "-z", "5", "127.0.0.1"));
                String output = run(command);
                Matcher lost = LOST.matcher(output);
                Matcher counts = SENT_RECEIVED.matcher(output);
                assertTrue(lost.find() && counts.find(), () -> "unexpected uclient output:\n" + output);
                assertEquals("0", lost.group(1), () -> output);
                assertTrue(Integer.parseInt(counts.group(1)) > 0, () -> output);
                assertEquals(counts.group(1), counts.group(2), () -> output);
            } finally {
                peer.destroy();
                peer.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append(e);
            }
        });
        reader.start();
        if (!p.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (out) {
            return String.join(" ", command) + "\nexit " + (p.isAlive() ? "killed" : p.exitValue()) + "\n" + out;
        }
    }
}
