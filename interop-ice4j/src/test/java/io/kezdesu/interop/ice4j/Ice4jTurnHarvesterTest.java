package io.kezdesu.interop.ice4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.RelayServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RelayedCandidate;
import org.ice4j.ice.harvest.HarvestConfig;
import org.ice4j.ice.harvest.TurnCandidateHarvester;
import org.ice4j.security.LongTermCredential;
import org.ice4j.socket.IceSocketWrapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with ice4j's own TURN client: an {@link Agent} whose only harvesters are a loopback host harvester and a
 * {@link TurnCandidateHarvester} with a long-term credential (a TURN REST credential, as browsers get from signaling)
 * gathers a relayed candidate from our relay, then sends and receives through it (CreatePermission, Send/ChannelBind,
 * Data/ChannelData as ice4j's {@code RelayedCandidateDatagramSocket} chooses). All traffic stays on loopback.
 */
@Timeout(60) // bounds a hung harvest; ice4j's own harvest timeout (application.conf) is 20 s
class Ice4jTurnHarvesterTest {

    private static final String REALM = "kezdesu.test";
    private static final String TURN_SECRET = "turn-secret-for-ice4j-interop-0123";
    private static final Secrets SECRETS = new Secrets("j".repeat(32), List.of(TURN_SECRET),
            "nonce-secret-for-ice4j-interop-0", "admin-token-0123456789");
    /**
     * relay-ip differs from the listening address (both loopback: Linux routes all of 127/8 to lo), so the assertion
     * proves ice4j read XOR-RELAYED-ADDRESS rather than echoing the server address back.
     */
    private static final InetAddress RELAY_IP = address("127.0.0.2");
    /** Above Linux's ephemeral range (32768–60999), so nothing else on the host is likely to hold these ports. */
    private static final int MIN_PORT = 61000;
    private static final int MAX_PORT = 61999;
    private static final int PEER_TIMEOUT_MS = 10_000;

    private RelayServer relay;
    private Agent agent;

    @BeforeAll
    static void ice4jStaysOnThisHost() {
        // Read before the first Agent exists: its constructor runs the mapping harvesters' one-time discovery.
        HarvestConfig config = HarvestConfig.config;
        assertFalse(config.enableAwsHarvester(), "application.conf must disable the AWS metadata lookup");
        assertEquals(List.of(), config.stunMappingCandidateHarvesterAddresses());
        assertTrue(config.getStaticMappings().isEmpty());
    }

    @BeforeEach
    void start() {
        Config config = Config.defaults()
                .with(ConfigKeys.LISTENING_IP, List.of(InetAddress.getLoopbackAddress()))
                .with(ConfigKeys.LISTENING_PORT, 0)
                .with(ConfigKeys.TLS_LISTENING_PORT, 0)
                .with(ConfigKeys.REALM, REALM)
                .with(ConfigKeys.RELAY_IP, List.of(RELAY_IP))
                .with(ConfigKeys.MIN_PORT, MIN_PORT)
                .with(ConfigKeys.MAX_PORT, MAX_PORT)
                .with(ConfigKeys.ALLOW_LOOPBACK_PEERS, true);
        relay = RelayServer.start(RelayConfig.from(config, SECRETS, Optional.empty(), Optional.empty()));
        agent = new Agent();
    }

    @AfterEach
    void stop() {
        agent.free();
        relay.close();
    }

    @Test
    void turnCandidateHarvesterAllocatesARelayedCandidate() {
        RelayedCandidate relayed = harvestRelayedCandidate();

        TransportAddress address = relayed.getTransportAddress();
        assertEquals(RELAY_IP, address.getAddress());
        assertTrue(address.getPort() >= MIN_PORT && address.getPort() <= MAX_PORT, () -> "relayed port " + address);
        assertEquals(Transport.UDP, address.getTransport());
        assertEquals(CandidateType.RELAYED_CANDIDATE, relayed.getType());
        // ice4j takes the related address from the Allocate response's XOR-MAPPED-ADDRESS: on loopback, no NAT, that
        // is the host candidate the allocation was made from.
        LocalCandidate host = relayed.getParentComponent().getLocalCandidates().stream()
                .filter(c -> c.getType() == CandidateType.HOST_CANDIDATE).findFirst().orElseThrow();
        assertEquals(host.getTransportAddress(), relayed.getRelatedAddress());

        assertEquals(1, relay.allocationCount());
        assertEquals(1.0, metric("kezdesu_relay_allocations_created_total"));
    }

    @Test
    void dataFlowsBothWaysThroughTheRelayedCandidate() throws IOException {
        RelayedCandidate relayed = harvestRelayedCandidate();
        IceSocketWrapper client = relayed.getCandidateIceSocketWrapper();
        client.getUDPSocket().setSoTimeout(PEER_TIMEOUT_MS);
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            peer.setSoTimeout(PEER_TIMEOUT_MS);
            InetSocketAddress relayedAddress = new InetSocketAddress(RELAY_IP, relayed.getTransportAddress().getPort());

            // Several rounds: ice4j sends the first packets as Send indications, then over a channel once bound.
            for (int i = 0; i < 5; i++) {
                byte[] out = ("client->peer " + i).getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(out, out.length, peer.getLocalSocketAddress()));
                DatagramPacket atPeer = new DatagramPacket(new byte[1500], 1500);
                peer.receive(atPeer);
                assertArrayEquals(out, Arrays.copyOf(atPeer.getData(), atPeer.getLength()));
                assertEquals(relayedAddress, atPeer.getSocketAddress(), "peer sees the relayed address");

                byte[] back = ("peer->client " + i).getBytes(StandardCharsets.UTF_8);
                peer.send(new DatagramPacket(back, back.length, relayedAddress));
                DatagramPacket atClient = new DatagramPacket(new byte[1500], 1500);
                client.receive(atClient);
                assertArrayEquals(back, Arrays.copyOf(atClient.getData(), atClient.getLength()));
                assertEquals(peer.getLocalSocketAddress(), atClient.getSocketAddress(), "client sees the peer");
            }
        }
        assertEquals(1, relay.allocationCount());
    }

    /** Gathers synchronously: {@code createComponent} returns once every harvester finished or timed out. */
    private RelayedCandidate harvestRelayedCandidate() {
        TurnCredential credential = new TurnRestCredentials(List.of(TURN_SECRET), Duration.ofHours(1),
                Clock.systemUTC()).mint("ice4j", Optional.of("interop"));
        InetSocketAddress server = relay.udpAddresses().get(0);
        // No interface scan (HostCandidateHarvester): the loopback harvester is the only host harvester.
        agent.setUseDynamicPorts(false);
        agent.addCandidateHarvester(new LoopbackHostHarvester());
        agent.addCandidateHarvester(new TurnCandidateHarvester(
                new TransportAddress(server.getAddress(), server.getPort(), Transport.UDP),
                new LongTermCredential(credential.username(), credential.password())));
        Component component;
        try {
            // No component (merging) socket: its reader thread would take the relayed socket's packets, which the
            // test reads itself; connectivity checks are not part of this test.
            component = agent.createComponent(agent.createMediaStream("data"), KeepAliveStrategy.SELECTED_ONLY,
                    false);
        } catch (IOException e) {
            throw new AssertionError("ice4j could not gather", e);
        }
        List<LocalCandidate> candidates = component.getLocalCandidates();
        List<RelayedCandidate> relayed = candidates.stream().filter(RelayedCandidate.class::isInstance)
                .map(RelayedCandidate.class::cast).toList();
        assertEquals(1, relayed.size(), () -> "no single relayed candidate among " + candidates);
        assertTrue(candidates.stream().allMatch(c -> c.getTransportAddress().getAddress().isLoopbackAddress()),
                () -> "ice4j gathered beyond loopback: " + candidates);
        return relayed.get(0);
    }

    private double metric(String series) {
        String text = new String(relay.metrics().scrape(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
