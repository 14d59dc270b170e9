package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.probe.ProbeReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The relay's counters move with the traffic (driven by the probe client over loopback). */
class RelayMetricsTest {

    static double value(RelayServer server, String series) {
        String text = new String(server.metrics().scrape(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String url(RelayServer server) {
        return "turn:127.0.0.1:" + server.udpAddresses().get(0).getPort();
    }

    @Test
    void allocationsPacketsAndBytesAreCounted() {
        try (RelayServer server = TestRelays.start()) {
            assertEquals(0, value(server, "kezdesu_relay_allocations_created_total"));
            ProbeReport r = RelayProbeTest.probe(url(server), TestRelays.credential("metrics", null));
            assertTrue(r.ok(), r.errors().toString());
            assertEquals(1, value(server, "kezdesu_relay_allocations_created_total"));
            assertEquals(3, value(server, "kezdesu_relay_packets_relayed_total{direction=\"to_peer\"}"));
            assertEquals(3, value(server, "kezdesu_relay_packets_relayed_total{direction=\"to_client\"}"));
            assertTrue(value(server, "kezdesu_relay_bytes_relayed_total{direction=\"to_peer\"}") >= 3 * 16);
            // The probe challenged once (401 without credentials) before authenticating.
            assertEquals(1, value(server, "kezdesu_relay_unauthorized_total"));
            // Released by Refresh 0 at the end of the probe; removal happens on the allocation's loop.
            long deadline = System.currentTimeMillis() + RelayProbeTest.TIMEOUT_MS;
            while (value(server, "kezdesu_relay_allocations") != 0 && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, value(server, "kezdesu_relay_allocations"));
        }
    }

    @Test
    void unauthorizedPeerDeniedAndRefusedAllocationsAreCounted() throws IOException {
        try (RelayServer server = TestRelays.start(c -> c.with(ConfigKeys.ALLOW_LOOPBACK_PEERS, false)
                .with(ConfigKeys.USER_QUOTA, 1));
             TurnTestClient holder = TurnTestClient.udp(server.udpAddresses().get(0), "holder", null)) {
            TurnCredential c = TestRelays.credential("alice", null);
            RelayProbeTest.probe(url(server), c.username(), "wrong", RelayProbeTest.TIMEOUT_MS);
            assertEquals(2, value(server, "kezdesu_relay_unauthorized_total"), "the challenge and the wrong MAC");

            // Loopback peers are denied: the probe's Send to its echo socket is dropped by the policy.
            assertTrue(RelayProbeTest.probe(url(server), TestRelays.credential("bob", null)).ok());
            assertTrue(value(server, "kezdesu_relay_peer_denied_total") >= 1);

            TurnCredential held = TestRelays.credential("alice", null);
            holder.username = held.username();
            holder.password = held.password();
            assertTrue(holder.allocate().isSuccess());
            RelayProbeTest.probe(url(server), TestRelays.credential("alice", null));
            assertEquals(1, value(server, "kezdesu_relay_allocations_refused_total{reason=\"486\"}"));
        }
    }

    @Test
    void allocateRefusalsAreScrapedAtZeroBeforeTheFirst() {
        try (RelayServer server = TestRelays.start()) {
            for (int code : new int[] {400, 420, 437, 440, 442, 486, 508}) {
                assertEquals(0, value(server, "kezdesu_relay_allocations_refused_total{reason=\"" + code + "\"}"),
                        "reason " + code);
            }
        }
    }
}
