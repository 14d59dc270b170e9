package io.kezdesu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.RelayServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code kezdesu probe} against our relay started in-process on loopback: output, JSON and exit codes. */
class ProbeCommandTest {

    private static final String SECRET = "probe-command-secret-0123456789";
    private static RelayServer relay;
    private static int port;

    @BeforeAll
    static void startRelay() {
        Config config = Config.defaults()
                .with(ConfigKeys.LISTENING_IP, List.of(InetAddress.getLoopbackAddress()))
                .with(ConfigKeys.LISTENING_PORT, 0)
                .with(ConfigKeys.TLS_LISTENING_PORT, 0)
                .with(ConfigKeys.ALLOW_LOOPBACK_PEERS, true);
        Secrets secrets = new Secrets("j".repeat(32), List.of(SECRET), "nonce-secret-for-probe-tests", "admin-token");
        relay = RelayServer.start(RelayConfig.from(config, secrets, Optional.empty(), Optional.empty()));
        port = relay.udpAddresses().get(0).getPort();
    }

    @AfterAll
    static void stopRelay() {
        relay.close();
    }

    @Test
    void stunPrintsTheMappedAddress() {
        CliRun r = CliRun.run(Map.of(), "probe", "stun:127.0.0.1:" + port);
        assertEquals(Main.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("mapped address:  127.0.0.1:"), r.out());
        assertTrue(r.out().contains("NAT mapping:     unknown"), r.out());
        assertTrue(r.out().endsWith("result: ok\n"), r.out());
    }

    @Test
    void turnWithSecretRelaysAndPrintsJson() throws Exception {
        CliRun r = CliRun.run(Map.of(), "probe", "turn:127.0.0.1:" + port, "--secret", SECRET, "--json");
        assertEquals(Main.OK, r.code(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("ok").asBoolean());
        assertEquals(5, json.get("turn").get("received").asInt());
        assertTrue(json.get("turn").get("minRttMillis").isNumber());
        assertTrue(json.get("errors").isEmpty());
    }

    @Test
    void turnWithUserAndPasswordOverTcp() {
        TurnCredential c = new TurnRestCredentials(List.of(SECRET), Duration.ofHours(1), Clock.systemUTC())
                .mint("someone", Optional.empty());
        CliRun r = CliRun.run(Map.of(), "probe", "turn:127.0.0.1:" + relay.tcpAddresses().get(0).getPort()
                + "?transport=tcp", "--user", c.username(), "--password", c.password());
        assertEquals(Main.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("round trips:     5/5, rtt min"), r.out());
    }

    @Test
    void wrongSecretIs401AndExitStatus1() throws Exception {
        CliRun r = CliRun.run(Map.of(), "probe", "turn:127.0.0.1:" + port, "--secret", "not-the-secret",
                "--json");
        assertEquals(Main.FAILURE, r.code(), r.out() + r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("errors").get(0).asText().contains("401"), r.out());
    }

    @Test
    void unreachableServerTimesOut() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.run(Map.of(), "probe", "stun:127.0.0.1:" + silent.getLocalPort(),
                    "--timeout", "1");
            assertEquals(Main.FAILURE, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("no response within 1000 ms"), r.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.org", "turn:host:99999", "stun:host?transport=tcp"})
    void badUrlIsAUsageError(String url) {
        CliRun r = CliRun.run(Map.of(), "probe", url);
        assertEquals(Main.USAGE, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("kezdesu: probe: "), r.err());
    }

    @Test
    void secretAndUserTogetherIsAUsageError() {
        CliRun r = CliRun.run(Map.of(), "probe", "turn:127.0.0.1:" + port, "--secret", "s", "--user", "u",
                "--password", "p");
        assertEquals(Main.USAGE, r.code(), r.err());
    }

    @Test
    void missingUrlIsAUsageError() {
        assertEquals(Main.USAGE, CliRun.run(Map.of(), "probe").code());
    }
}
