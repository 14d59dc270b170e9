package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.AddressMapping;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.relay.TurnTestClient.Received;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behind 1:1 NAT: the relay emits its public address, and two of its own clients reach each other through it even
 * though that public address (TEST-NET-3 here) is not routable from the host — delivery is in-process.
 */
class ExternalIpTest {

    private static final String PUBLIC = "203.0.113.9";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {PUBLIC + "/127.0.0.1", PUBLIC})
    void clientsReachEachOtherThroughThePublicAddress(String mapping) throws IOException {
        try (RelayServer server = TestRelays.start(c -> c
                .with(ConfigKeys.EXTERNAL_IP, List.of(AddressMapping.parse(mapping)))
                .with(ConfigKeys.ALLOW_LOOPBACK_PEERS, false));
             TurnTestClient alice = client(server, "alice");
             TurnTestClient bob = client(server, "bob")) {
            InetSocketAddress aliceRelay = alice.allocate().address(0x0016);
            InetSocketAddress bobRelay = bob.allocate().address(0x0016);
            assertEquals(InetAddress.getByName(PUBLIC), aliceRelay.getAddress());
            assertEquals(InetAddress.getByName(PUBLIC), bobRelay.getAddress());

            assertTrue(alice.createPermission(bobRelay).isSuccess());
            assertTrue(bob.channelBind(0x4000, aliceRelay).isSuccess());

            alice.sendIndication(bobRelay, "hi bob".getBytes(StandardCharsets.UTF_8));
            Received atBob = bob.receiveData();
            assertEquals(0x4000, atBob.channel());
            assertEquals("hi bob", new String(atBob.data(), StandardCharsets.UTF_8));

            bob.sendChannelData(0x4000, "hi alice".getBytes(StandardCharsets.UTF_8));
            Received atAlice = alice.receiveData();
            assertEquals(bobRelay, atAlice.peer(), "the peer is named by its public address");
            assertEquals("hi alice", new String(atAlice.data(), StandardCharsets.UTF_8));
        }
    }

    private static TurnTestClient client(RelayServer server, String user) throws IOException {
        TurnCredential c = TestRelays.credential(user, "room");
        return TurnTestClient.udp(server.udpAddresses().get(0), c.username(), c.password());
    }
}
