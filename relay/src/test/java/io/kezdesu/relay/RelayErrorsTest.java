package io.kezdesu.relay;

import static io.kezdesu.relay.RelayServerTest.bytes;
import static io.kezdesu.relay.RelayServerTest.local;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.NamedSecret;
import io.kezdesu.common.turn.TurnCredential;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.TestStun.Msg;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every error code the relay sends, each provoked over real sockets. */
class RelayErrorsTest {

    private static TurnTestClient client(RelayServer server, String user, String room) throws IOException {
        TurnCredential c = TestRelays.credential(user, room);
        return TurnTestClient.udp(server.udpAddresses().get(0), c.username(), c.password());
    }

    @Test
    void badRequestUnknownAttributeUnsupportedTransportAndMismatch() throws IOException {
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "alice", null)) {
            // 400: Allocate without REQUESTED-TRANSPORT.
            assertEquals(400, c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE)).errorCode());
            // 442: TCP relaying is not offered.
            assertEquals(442, c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(6)).errorCode());
            // 420 with UNKNOWN-ATTRIBUTES naming the comprehension-required attribute.
            Msg unknown = c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0030, new byte[4]));
            assertEquals(420, unknown.errorCode());
            assertEquals(0x0030, ByteBuffer.wrap(unknown.attr(0x000A)).getShort() & 0xFFFF);
            // 437: no allocation yet, then a second Allocate (new transaction) on the same 5-tuple.
            assertEquals(437, c.createPermission(new InetSocketAddress("127.0.0.1", 9)).errorCode());
            assertTrue(c.allocate().isSuccess());
            assertEquals(437, c.allocate().errorCode());
            // 400: ChannelBind with a number outside 0x4000–0x4FFF.
            assertEquals(400, c.channelBind(0x3FFF, new InetSocketAddress("127.0.0.1", 9)).errorCode());
        }
    }

    @Test
    void evenPortReservationTokenAndAddressFamily() throws IOException {
        try (RelayServer server = TestRelays.start();
             TurnTestClient a = client(server, "a", null);
             TurnTestClient b = client(server, "b", null);
             TurnTestClient c = client(server, "c", null)) {
            Msg even = a.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0018, new byte[] {(byte) 0x80}));
            assertTrue(even.isSuccess());
            int port = even.address(0x0016).getPort();
            assertEquals(0, port % 2);
            byte[] token = even.attr(0x0022);
            assertEquals(8, token.length);
            // EVEN-PORT together with RESERVATION-TOKEN is a bad request.
            assertEquals(400, b.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0018, new byte[] {0}).add(0x0022, token)).errorCode());
            Msg reserved = b.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0022, token));
            assertTrue(reserved.isSuccess(), () -> "error " + reserved.errorCode());
            assertEquals(port + 1, reserved.address(0x0016).getPort());
            assertEquals(508, c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0022, token)).errorCode(), "a token is redeemed once");
            assertEquals(440, c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0017, new byte[] {2, 0, 0, 0})).errorCode(), "IPv6 relaying is not offered here");
            assertTrue(c.authenticated(() -> Msg.request(TurnTestClient.ALLOCATE).transport(17)
                    .add(0x0017, new byte[] {1, 0, 0, 0})).isSuccess());
        }
    }

    @Test
    void retransmittedAllocateGetsTheSameSuccess() throws IOException {
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "alice", null)) {
            Msg challenge = c.unsigned(Msg.request(TurnTestClient.ALLOCATE).transport(17));
            c.realm = challenge.string(0x0014);
            c.nonce = challenge.string(0x0015);
            Msg first = Msg.request(TurnTestClient.ALLOCATE).transport(17);
            Msg a = c.signed(first);
            Msg again = new Msg(first.type, first.tid).transport(17);
            Msg b = c.signed(again);
            assertTrue(a.isSuccess() && b.isSuccess());
            assertEquals(a.address(0x0016), b.address(0x0016));
        }
    }

    @Test
    void staleOrForeignNonceGets438WithAFreshNonce() throws IOException {
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "alice", null)) {
            assertTrue(c.allocate().isSuccess());
            c.nonce = "AAAAAAAAAAAAAAAAAAAAAA";
            Msg stale = c.signed(Msg.request(TurnTestClient.REFRESH));
            assertEquals(438, stale.errorCode());
            assertNotNull(stale.string(0x0015));
            c.nonce = stale.string(0x0015);
            assertTrue(c.refresh(600).isSuccess());
        }
    }

    @Test
    void wrongPasswordIs401AndAnotherUsersRequestIs441() throws IOException {
        try (RelayServer server = TestRelays.start(); TurnTestClient c = client(server, "alice", null)) {
            assertTrue(c.allocate().isSuccess());
            String alice = c.username;
            String password = c.password;
            c.password = "not-the-password";
            assertEquals(401, c.signed(Msg.request(TurnTestClient.REFRESH)).errorCode());
            TurnCredential bob = TestRelays.credential("bob", null);
            c.username = bob.username();
            c.password = bob.password();
            assertEquals(441, c.refresh(600).errorCode());
            c.username = alice;
            c.password = password;
            assertTrue(c.refresh(600).isSuccess());
        }
    }

    @Test
    void staticUsersAuthenticateAndExpiredRestCredentialsDoNot() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.USER,
                List.of(new NamedSecret("operator", "static-password"))))) {
            InetSocketAddress address = server.udpAddresses().get(0);
            try (TurnTestClient c = TurnTestClient.udp(address, "operator", "static-password")) {
                assertTrue(c.allocate().isSuccess());
            }
            String expired = "1000:alice";
            String password = TurnRestCredentials.password(
                    TestRelays.TURN_SECRET.getBytes(StandardCharsets.UTF_8), expired);
            try (TurnTestClient c = TurnTestClient.udp(address, expired, password)) {
                assertEquals(401, c.allocate().errorCode());
            }
            try (TurnTestClient c = TurnTestClient.udp(address, "operator", "guess")) {
                assertEquals(401, c.allocate().errorCode());
            }
        }
    }

    @Test
    void deniedPeersAre403AndWrongFamilyIs443() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.ALLOW_LOOPBACK_PEERS, false));
             TurnTestClient c = client(server, "alice", null)) {
            assertTrue(c.allocate().isSuccess());
            // The relay's own address (127.0.0.1 here) may be permitted — allocations reach each other in-process —
            // but only its relayed ports are reachable there.
            assertEquals(403, c.createPermission(new InetSocketAddress("127.0.0.2", 5000)).errorCode());
            assertEquals(403, c.channelBind(0x4001, new InetSocketAddress("127.0.0.1", 5000)).errorCode());
            assertEquals(403, c.channelBind(0x4001, server.udpAddresses().get(0)).errorCode());
            assertEquals(403, c.createPermission(new InetSocketAddress("192.0.2.1", 5000),
                    new InetSocketAddress("224.0.0.1", 5000)).errorCode());
            assertEquals(403, c.channelBind(0x4000, new InetSocketAddress("169.254.1.1", 5000)).errorCode());
            assertEquals(443, c.createPermission(new InetSocketAddress("2001:db8::1", 5000)).errorCode());
            assertTrue(c.createPermission(new InetSocketAddress("192.0.2.1", 5000)).isSuccess());
        }
    }

    @Test
    void userQuotaIs486() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.USER_QUOTA, 1));
             TurnTestClient a = client(server, "alice", "r1");
             TurnTestClient b = client(server, "alice", "r2");
             TurnTestClient other = client(server, "bob", "r1")) {
            assertTrue(a.allocate().isSuccess());
            assertEquals(486, b.allocate().errorCode());
            assertTrue(other.allocate().isSuccess());
            assertTrue(a.refresh(0).isSuccess());
            assertTrue(b.allocate().isSuccess(), "quota released when the allocation ended");
        }
    }

    @Test
    void addressQuotaCountsEveryAccountFromOneAddress() throws IOException {
        // A farm of throwaway accounts on one address: each account is within its own quota, the address is not.
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.ADDRESS_QUOTA, 2));
             TurnTestClient a = client(server, "farm1", null);
             TurnTestClient b = client(server, "farm2", null);
             TurnTestClient c = client(server, "farm3", null)) {
            assertTrue(a.allocate().isSuccess());
            assertTrue(b.allocate().isSuccess());
            assertEquals(486, c.allocate().errorCode());
            assertTrue(a.refresh(0).isSuccess());
            assertTrue(c.allocate().isSuccess(), "quota released when the allocation ended");
        }
    }

    @Test
    void challengesPerSourceAreLimitedAsConfigured() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.UNAUTHORIZED_BURST, 3)
                .with(ConfigKeys.UNAUTHORIZED_PER_SECOND, 1));
             TurnTestClient c = client(server, "alice", null)) {
            for (int i = 0; i < 10; i++) {
                c.sendRaw(TestStun.Msg.request(TurnTestClient.ALLOCATE).transport(17).encode(null, false));
            }
            // A Binding is answered in turn, after the ten: everything before its answer has been decided.
            TestStun.Msg binding = TestStun.Msg.request(0x001);
            assertTrue(c.unsigned(binding).isSuccess());
            long challenges = c.unsolicitedCount(p -> TestStun.Msg.decode(p, p.length).errorCode() == 401);
            // Three at once, and at most one more if a second went by meanwhile; the rest dropped.
            assertTrue(challenges >= 3 && challenges <= 4, challenges + " challenges");
        }
    }

    @Test
    void unauthenticatedErrorsShareTheChallengeBudgetPerSourceOverUdp() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.UNAUTHORIZED_BURST, 3)
                .with(ConfigKeys.UNAUTHORIZED_PER_SECOND, 1));
             TurnTestClient c = client(server, "alice", null)) {
            // A request of an unknown method costs its sender nothing and was answered (400) every time: a reflector
            // for a spoofed source.
            for (int i = 0; i < 10; i++) {
                c.sendRaw(TestStun.Msg.request(0x0FF).encode(null, false));
            }
            // A Binding is answered in turn, after the ten: everything before its answer has been decided.
            assertTrue(c.unsigned(TestStun.Msg.request(0x001)).isSuccess());
            long errors = c.unsolicitedCount(p -> TestStun.Msg.decode(p, p.length).errorCode() == 400);
            assertTrue(errors >= 3 && errors <= 4, errors + " 400 answers");
        }
    }

    @Test
    void bindingAnswersPerSourceAreLimitedOverUdp() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.BINDING_BURST, 3)
                .with(ConfigKeys.BINDING_PER_SECOND, 1));
             TurnTestClient c = client(server, "alice", null)) {
            for (int i = 0; i < 10; i++) {
                c.sendRaw(TestStun.Msg.request(0x001).encode(null, false));
            }
            // An unauthenticated Allocate is answered (401) after the ten: everything before has been decided.
            TestStun.Msg allocate = TestStun.Msg.request(TurnTestClient.ALLOCATE).transport(17);
            assertEquals(401, c.unsigned(allocate).errorCode());
            long answered = c.unsolicitedCount(p -> TestStun.Msg.decode(p, p.length).isSuccess());
            assertTrue(answered >= 3 && answered <= 4, answered + " Binding answers");
        }
    }

    @Test
    void bindingWithAnUnknownRequiredAttributeIs420AndChargedOnce() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.BINDING_BURST, 3)
                .with(ConfigKeys.BINDING_PER_SECOND, 1));
             TurnTestClient c = client(server, "alice", null)) {
            // 0x7F00: comprehension-required and unknown; the fast path leaves it to the dispatcher (RFC 8489 §7.3.1).
            TestStun.Msg first = TestStun.Msg.request(0x001).add(0x7F00, new byte[4]);
            assertEquals(420, c.transact(first.encode(null, true), first.tid).errorCode());
            TestStun.Msg second = TestStun.Msg.request(0x001).add(0x7F00, new byte[4]);
            assertEquals(420, c.unsigned(second).errorCode());
            // The burst is three: had the fallback charged the source twice, this one would go unanswered.
            TestStun.Msg third = TestStun.Msg.request(0x001).add(0x7F00, new byte[4]);
            assertEquals(420, c.unsigned(third).errorCode());
        }
    }

    @Test
    void permissionQuotaIs486() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.PERMISSION_QUOTA, 1));
             TurnTestClient a = client(server, "alice", null)) {
            assertTrue(a.allocate().isSuccess());
            assertTrue(a.createPermission(new InetSocketAddress("127.0.0.1", 1000)).isSuccess());
            assertTrue(a.createPermission(new InetSocketAddress("127.0.0.1", 2000)).isSuccess(), "same IP");
            assertEquals(486, a.createPermission(new InetSocketAddress("127.0.0.2", 1000)).errorCode());
        }
    }

    @Test
    void exhaustedPortRangeIs508() throws IOException {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        try (RelayServer server = TestRelays.start(cfg -> cfg.with(ConfigKeys.MIN_PORT, port)
                .with(ConfigKeys.MAX_PORT, port));
             TurnTestClient a = client(server, "alice", null);
             TurnTestClient b = client(server, "bob", null)) {
            assertTrue(a.allocate().isSuccess());
            assertEquals(508, b.allocate().errorCode());
            assertTrue(a.refresh(0).isSuccess());
            assertTrue(b.allocate().isSuccess(), "the port is reusable once freed");
        }
    }

    @Test
    void malformedPacketsDoNotDisturbAnotherClientsAllocation() throws IOException {
        try (RelayServer server = TestRelays.start();
             TurnTestClient good = client(server, "alice", null);
             TurnTestClient evil = client(server, "mallory", null);
             DatagramSocket peer = RelayServerTest.socket()) {
            InetSocketAddress relayed = good.allocate().address(0x0016);
            assertTrue(good.channelBind(0x4000, local(peer)).isSuccess());
            assertTrue(evil.allocate().isSuccess());
            Random random = new Random(42);
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[random.nextInt(120)];
                random.nextBytes(junk);
                if (i % 3 == 0 && junk.length >= 20) {
                    junk[0] = 0; // STUN-looking header with garbage attributes
                    ByteBuffer.wrap(junk).putShort(2, (short) (junk.length - 20)).putInt(4, TestStun.MAGIC);
                }
                evil.sendRaw(junk);
            }
            evil.sendRaw(new byte[] {0x40, 0x00, (byte) 0xFF, (byte) 0xFF, 1, 2}); // ChannelData overrun
            Msg badFingerprint = Msg.request(0x001);
            byte[] encoded = badFingerprint.encode(null, true);
            encoded[encoded.length - 1] ^= 1;
            evil.sendRaw(encoded);
            // Datagrams from one socket are handled in order: the answer to a good Binding sent afterwards arrives,
            // and nothing answered the bad one before it.
            Msg binding = Msg.request(0x001);
            assertTrue(evil.transact(binding.encode(null, true), binding.tid).isSuccess());
            assertFalse(evil.receivedFor(badFingerprint.tid), "bad FINGERPRINT is dropped silently");

            good.sendChannelData(0x4000, bytes("still here"));
            DatagramPacket got = RelayServerTest.receive(peer);
            assertEquals("still here", RelayServerTest.text(got));
            peer.send(new DatagramPacket(bytes("and back"), 8, relayed));
            assertEquals("and back", new String(good.receiveData().data(), StandardCharsets.UTF_8));
            assertEquals(2, server.allocationCount());
        }
    }

    @Test
    void permissionsAndChannelsExpire() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg
                .with(ConfigKeys.PERMISSION_LIFETIME, java.time.Duration.ofSeconds(1))
                .with(ConfigKeys.CHANNEL_LIFETIME, java.time.Duration.ofSeconds(1))
                .with(ConfigKeys.PERMISSION_QUOTA, 1));
             TurnTestClient c = client(server, "alice", null)) {
            assertTrue(c.allocate().isSuccess());
            InetSocketAddress a = new InetSocketAddress("127.0.0.1", 1000);
            InetSocketAddress b = new InetSocketAddress("127.0.0.2", 1000);
            assertTrue(c.channelBind(0x4000, a).isSuccess());
            assertEquals(486, c.channelBind(0x4001, b).errorCode(), "the one permission is a's");
            // Expiry is not observable as an event from outside; poll (with a deadline) until the permission quota
            // is free again, which only the expiry of a's permission and channel can cause.
            long deadline = System.nanoTime() + 10_000_000_000L;
            Msg rebound;
            do {
                rebound = c.channelBind(0x4001, b);
            } while (!rebound.isSuccess() && System.nanoTime() < deadline);
            assertTrue(rebound.isSuccess(), () -> "a's permission outlived the deadline");
            // RFC 8656 §12: the expired channel's number stays reserved for its old peer for five minutes (400 comes
            // before the permission quota's 486, so this is the quarantine speaking).
            assertEquals(400, c.channelBind(0x4000, new InetSocketAddress("127.0.0.3", 1000)).errorCode());
        }
    }

    @Test
    void allocationExpiresWithoutRefresh() throws IOException {
        try (RelayServer server = TestRelays.start(cfg -> cfg
                .with(ConfigKeys.DEFAULT_ALLOCATE_LIFETIME, java.time.Duration.ofSeconds(1))
                .with(ConfigKeys.MAX_ALLOCATE_LIFETIME, java.time.Duration.ofSeconds(1)));
             TurnTestClient c = client(server, "alice", null)) {
            Msg allocated = c.allocate();
            assertEquals(1, allocated.lifetime());
            // No event is observable from outside when an allocation expires, so poll with a deadline.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (server.allocationCount() > 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll interval, leaves the CPU
            }
            assertEquals(0, server.allocationCount());
            assertEquals(437, c.refresh(600).errorCode());
        }
    }
}
