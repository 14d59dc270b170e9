package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.probe.ProbeReport;
import io.kezdesu.relay.probe.ProbeReport.NatBehaviour;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe against a real coturn {@code turnserver} on loopback ephemeral ports (REST secret, loopback peers allowed),
 * listening on 127.0.0.1 and 127.0.0.2 so that coturn answers RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST).
 */
class CoturnProbeTest {

    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
    private static final String SECRET = "coturn-probe-secret-0123456789";
    /** Bounds a hung start; never a performance threshold. */
    private static final long START_TIMEOUT_MILLIS = 15_000;

    @TempDir
    static Path tmp;
    private static Process coturn;
    private static int port;

    @BeforeAll
    static void startCoturn() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(TURNSERVER), "coturn's turnserver is not installed");
        port = freePortPair();
        int relayPort = freePortPair();
        List<String> command = new ArrayList<>(List.of(TURNSERVER.toString(), "-n",
                "--use-auth-secret", "--static-auth-secret", SECRET, "--realm", TestRelays.REALM,
                "--listening-ip", "127.0.0.1", "--listening-ip", "127.0.0.2", "--relay-ip", "127.0.0.1",
                "--listening-port", String.valueOf(port), "--alt-listening-port", String.valueOf(port + 1),
                "--min-port", String.valueOf(relayPort), "--max-port", String.valueOf(relayPort + 1),
                "--no-tls", "--no-dtls", "--allow-loopback-peers", "--no-cli",
                "--db", tmp.resolve("turndb").toString(), "--pidfile", tmp.resolve("turnserver.pid").toString(),
                "--log-file", tmp.resolve("turnserver.log").toString()));
        coturn = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("turnserver.out").toFile()).start();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (!RelayProbeTest.probe("stun:127.0.0.1:" + port, null, null, 300).ok()) {
            assertTrue(coturn.isAlive() && System.currentTimeMillis() < deadline,
                    () -> "turnserver did not start: " + output());
        }
    }

    @AfterAll
    static void stopCoturn() throws InterruptedException {
        if (coturn != null) {
            coturn.destroy();
            if (!coturn.waitFor(10, TimeUnit.SECONDS)) {
                coturn.destroyForcibly();
            }
        }
    }

    /** An even port p with p and p + 1 free on UDP and TCP (coturn's alt port is p + 1). */
    static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (DatagramSocket s = new DatagramSocket(0)) {
                p = s.getLocalPort() & ~1;
            }
            try (DatagramSocket a = new DatagramSocket(p); DatagramSocket b = new DatagramSocket(p + 1);
                 ServerSocket c = new ServerSocket(p); ServerSocket d = new ServerSocket(p + 1)) {
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free port pair");
    }

    private static String output() {
        try {
            return Files.readString(tmp.resolve("turnserver.out"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static TurnCredential credential(String secret) {
        return new TurnRestCredentials(List.of(secret), Duration.ofHours(1), Clock.systemUTC())
                .mint("probe", Optional.empty());
    }

    @Test
    void stunTellsTheNatBehaviourBecauseCoturnSendsOtherAddress() {
        ProbeReport r = RelayProbeTest.probe("stun:127.0.0.1:" + port, null);
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(InetAddress.getLoopbackAddress(), r.mappedAddress().getAddress());
        // Loopback has no NAT: both behaviours are endpoint-independent.
        assertEquals(NatBehaviour.ENDPOINT_INDEPENDENT, r.mapping(), r.natNote());
        assertEquals(NatBehaviour.ENDPOINT_INDEPENDENT, r.filtering(), r.natNote());
    }

    @Test
    void turnAllocatesAndRelaysWithARestCredential() {
        ProbeReport r = RelayProbeTest.probe("turn:127.0.0.1:" + port, credential(SECRET));
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(3, r.turn().received());
        assertFalse(r.turn().peer().equals(r.turn().relayedAddress()));
    }

    @Test
    void turnOverTcp() {
        ProbeReport r = RelayProbeTest.probe("turn:127.0.0.1:" + port + "?transport=tcp", credential(SECRET));
        assertTrue(r.ok(), r.errors().toString());
        assertEquals(3, r.turn().received());
    }

    @Test
    void aCredentialFromAnotherSecretIs401() {
        ProbeReport r = RelayProbeTest.probe("turn:127.0.0.1:" + port, credential("some-other-secret"));
        assertFalse(r.ok());
        assertTrue(r.errors().get(0).contains("401"), r.errors().toString());
    }
}
