package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.probe.ProbeReport;
import io.kezdesu.relay.probe.ProbeReport.NatBehaviour;
import io.kezdesu.relay.probe.RelayProbe;
import io.kezdesu.relay.probe.StunUrl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link RelayProbe} against our relay on loopback: Binding, allocation, relayed round trips and each failure. */
class RelayProbeTest {

    /** Bounds a broken test; never a performance threshold. */
    static final int TIMEOUT_MS = 3000;

    static ProbeReport probe(String url, TurnCredential credential) {
        return probe(url, credential == null ? null : credential.username(),
                credential == null ? null : credential.password(), TIMEOUT_MS);
    }

    static ProbeReport probe(String url, String user, String password, int timeout) {
        return RelayProbe.run(new RelayProbe.Options(StunUrl.parse(url), Optional.ofNullable(user),
                Optional.ofNullable(password), timeout, 3));
    }

    private static String url(String scheme, InetSocketAddress a) {
        return scheme + ":127.0.0.1:" + a.getPort();
    }

    @Test
    void stunReportsTheReflexiveAddressAndWhyTheNatCannotBeTold() {
        try (RelayServer server = TestRelays.start()) {
            ProbeReport r = probe(url("stun", server.udpAddresses().get(0)), null);
            assertTrue(r.ok(), r.errors().toString());
            assertEquals(InetAddress.getLoopbackAddress(), r.mappedAddress().getAddress());
            assertEquals(r.localAddress().getPort(), r.mappedAddress().getPort());
            assertEquals(NatBehaviour.UNKNOWN, r.mapping());
            assertTrue(r.natNote().contains("OTHER-ADDRESS"), r.natNote());
            assertNull(r.turn());
        }
    }

    @Test
    void turnAllocatesAndRelaysThroughTheProbesSecondSocket() {
        try (RelayServer server = TestRelays.start()) {
            ProbeReport r = probe(url("turn", server.udpAddresses().get(0)), TestRelays.credential("probe", null));
            assertTrue(r.ok(), r.errors().toString());
            assertEquals(3, r.turn().received());
            assertNotNull(r.turn().relayedAddress());
            assertTrue(r.turn().lifetimeSeconds() > 0);
            assertFalse(r.turn().peer().equals(r.turn().relayedAddress()), "the echo socket is the peer");
            assertTrue(r.turn().minRttMillis() >= 0);
        }
    }

    @Test
    void turnOverTcpRelaysToo() {
        try (RelayServer server = TestRelays.start()) {
            ProbeReport r = probe(url("turn", server.tcpAddresses().get(0)) + "?transport=tcp",
                    TestRelays.credential("probe", null));
            assertTrue(r.ok(), r.errors().toString());
            assertEquals(3, r.turn().received());
            assertTrue(r.natNote().contains("need UDP"), r.natNote());
        }
    }

    @Test
    void whenLoopbackPeersAreDeniedTheProbeLoopsThroughItsOwnRelayedAddress() {
        try (RelayServer server = TestRelays.start(c -> c.with(ConfigKeys.ALLOW_LOOPBACK_PEERS, false))) {
            ProbeReport r = probe(url("turn", server.udpAddresses().get(0)), TestRelays.credential("probe", null));
            assertTrue(r.ok(), r.errors().toString());
            assertEquals(r.turn().relayedAddress(), r.turn().peer());
            assertEquals(3, r.turn().received());
        }
    }

    @Test
    void wrongPasswordIs401() {
        try (RelayServer server = TestRelays.start()) {
            TurnCredential c = TestRelays.credential("probe", null);
            ProbeReport r = probe(url("turn", server.udpAddresses().get(0)), c.username(), "wrong", TIMEOUT_MS);
            assertFalse(r.ok());
            assertTrue(r.errors().get(0).contains("401") && r.errors().get(0).contains("authentication failed"),
                    r.errors().toString());
            assertNotNull(r.mappedAddress(), "Binding still worked");
        }
    }

    @Test
    void noCredentialsSaysSo() {
        try (RelayServer server = TestRelays.start()) {
            ProbeReport r = probe(url("turn", server.udpAddresses().get(0)), null);
            assertTrue(r.errors().get(0).contains("--user/--password or --secret"), r.errors().toString());
        }
    }

    @Test
    void quotaIs486AndExhaustedPortsAre508() throws IOException {
        int port;
        try (DatagramSocket free = new DatagramSocket(0)) {
            port = free.getLocalPort();
        }
        try (RelayServer server = TestRelays.start(c -> c.with(ConfigKeys.USER_QUOTA, 1)
                .with(ConfigKeys.MIN_PORT, port).with(ConfigKeys.MAX_PORT, port));
             TurnTestClient holder = TurnTestClient.udp(server.udpAddresses().get(0), "probe-holder", null)) {
            TurnCredential held = TestRelays.credential("alice", null);
            holder.username = held.username();
            holder.password = held.password();
            assertTrue(holder.allocate().isSuccess());
            String url = url("turn", server.udpAddresses().get(0));
            ProbeReport quota = probe(url, TestRelays.credential("alice", null));
            assertTrue(quota.errors().get(0).contains("486"), quota.errors().toString());
            ProbeReport ports = probe(url, TestRelays.credential("bob", null));
            assertTrue(ports.errors().get(0).contains("508"), ports.errors().toString());
        }
    }

    @Test
    void silentServerTimesOut() throws IOException {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            ProbeReport r = probe("stun:127.0.0.1:" + silent.getLocalPort(), null, null, 700);
            assertFalse(r.ok());
            assertTrue(r.errors().get(0).contains("no response within 700 ms"), r.errors().toString());
        }
    }

    @Test
    void silentTlsPortSaysSoInWords() throws IOException {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            ProbeReport r = probe("turns:127.0.0.1:" + silent.getLocalPort(), "u", "p", 700);
            assertFalse(r.ok());
            String error = r.errors().get(0);
            assertTrue(error.startsWith("cannot connect") && error.contains("no response within 700 ms (TLS handshake"),
                    error);
            assertFalse(error.contains("Exception"), error);
        }
    }

    @Test
    void refusedTcpConnectionIsReported() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProbeReport r = probe("turn:127.0.0.1:" + port + "?transport=tcp", "u", "p", 700);
        assertTrue(r.errors().get(0).startsWith("cannot connect"), r.errors().toString());
    }
}
