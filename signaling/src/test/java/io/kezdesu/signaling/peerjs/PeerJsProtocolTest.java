package io.kezdesu.signaling.peerjs;

import static io.kezdesu.signaling.peerjs.PeerJsPeers.barrier;
import static io.kezdesu.signaling.peerjs.PeerJsPeers.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.RawWebSocket;
import io.kezdesu.signaling.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The PeerJS socket, branch by branch, against peerjs-server 1.0.2's answers; a real server on loopback. */
class PeerJsProtocolTest {

    /** Offline queues that outlast any test's pace (the default expire timeout is 5 s). */
    private static final Map<String, String> LONG_WAIT = Map.of("peerjs-expire-timeout", "60s");

    /** The close frame peerjs-server's {@code socket.close()} sends carries no status: the client sees 1005. */
    private static final int NO_STATUS = 1005;

    static Stream<Arguments> missingParameters() {
        return Stream.of(Arguments.of(null, "a", "t"), Arguments.of("peerjs", null, "t"),
                Arguments.of("peerjs", "a", null), Arguments.of("peerjs", "", "t"));
    }

    @ParameterizedTest
    @MethodSource("missingParameters")
    void missingParametersGetTheParametersError(String key, String id, String token, @TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient c = p.raw(key, id, token);
            JsonNode e = c.expect("ERROR");
            assertEquals("No id, token, or key supplied to websocket server", e.path("payload").path("msg").asText());
            assertEquals(NO_STATUS, c.closeCode());
        }
    }

    @Test
    void aWrongKeyIsRefusedAndOpenAnswersTheRightOne(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-key", "sesame"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient wrong = p.raw("peerjs", "a", "t");
            assertEquals("{\"type\":\"ERROR\",\"payload\":{\"msg\":\"Invalid key provided\"}}",
                    wrong.expect("ERROR").toString());
            assertEquals(NO_STATUS, wrong.closeCode());
            WsClient right = p.raw("sesame", "a", "t");
            assertEquals("{\"type\":\"OPEN\"}", right.expect("OPEN").toString());
        }
    }

    @Test
    void anIdHeldUnderAnotherTokenIsTakenAndTheHolderKeepsIt(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient holder = p.open("alice", "t1");
            WsClient thief = p.raw("peerjs", "alice", "t2");
            assertEquals("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}",
                    thief.expect("ID-TAKEN").toString());
            assertEquals(NO_STATUS, thief.closeCode());
            WsClient bob = p.open("bob", "t3");
            bob.send(msg("OFFER", "alice", Map.of("sdp", "x")));
            assertEquals("bob", holder.expect("OFFER").path("src").asText());
        }
    }

    @Test
    void theSameIdAndTokenOnANewSocketTakesOver(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient first = p.open("alice", "t1");
            WsClient second = p.open("alice", "t1");
            assertEquals(NO_STATUS, first.closeCode());
            WsClient bob = p.open("bob", "t3");
            bob.send(msg("OFFER", "alice", Map.of("sdp", "x")));
            assertEquals("bob", second.expect("OFFER").path("src").asText());
            // The replaced socket closing must not unregister the id.
            barrier(second, "alice");
            awaitTrue(() -> f.call("GET", "/metrics", null, null).text().contains("kezdesu_peerjs_sessions 2.0"));
        }
    }

    @Test
    void pastTheConcurrentLimitNewcomersGetTheLimitError(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-concurrent-limit", "2"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            p.open("a", "t");
            WsClient b = p.open("b", "t");
            WsClient c = p.raw("peerjs", "c", "t");
            assertEquals("Server has reached its concurrent user limit",
                    c.expect("ERROR").path("payload").path("msg").asText());
            assertEquals(NO_STATUS, c.closeCode());
            // A returning id is not a newcomer; a freed place is taken again.
            p.open("a", "t");
            b.close();
            assertEquals(1000, b.closeCode());
            awaitTrue(() -> f.call("GET", "/metrics", null, null).text().contains("kezdesu_peerjs_sessions 1.0"));
            p.open("c", "t");
        }
    }

    @Test
    void offerAnswerCandidateAndLeaveAreRelayedWithTheSenderStampedAndThePayloadUntouched(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            WsClient b = p.open("bob", "t2");
            a.sendText("{\"dst\":\"bob\",\"src\":\"mallory\",\"extra\":1,\"type\":\"OFFER\",\"payload\":"
                    + "{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"},\"type\":\"media\",\"n\":[1,2.5,null],"
                    + "\"s\":\"\\u00e9\\\"\"}}");
            assertEquals("{\"type\":\"OFFER\",\"src\":\"alice\",\"dst\":\"bob\",\"payload\":{\"sdp\":{\"type\":"
                    + "\"offer\",\"sdp\":\"v=0\\r\\n\"},\"type\":\"media\",\"n\":[1,2.5,null],\"s\":\"é\\\"\"}}",
                    b.expect("OFFER").toString());
            b.send(msg("ANSWER", "alice", Map.of("sdp", "y")));
            assertEquals("{\"type\":\"ANSWER\",\"src\":\"bob\",\"dst\":\"alice\",\"payload\":{\"sdp\":\"y\"}}",
                    a.expect("ANSWER").toString());
            a.send(msg("CANDIDATE", "bob", Map.of("candidate", "c")));
            assertEquals("alice", b.expect("CANDIDATE").path("src").asText());
            a.send(msg("LEAVE", "bob", null));
            assertEquals("{\"type\":\"LEAVE\",\"src\":\"alice\",\"dst\":\"bob\"}", b.expect("LEAVE").toString());
            // Unknown types, malformed JSON and a missing dst are ignored; the connection carries on.
            a.send(msg("FOO", "bob", Map.of()));
            a.sendText("not json");
            a.sendText("[\"OFFER\"]");
            a.send(Map.of("type", "OFFER", "payload", Map.of()));
            // peerjs-server reads binary messages as text too.
            a.sendBinary("{\"type\":\"CANDIDATE\",\"dst\":\"bob\",\"payload\":7}".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"type\":\"CANDIDATE\",\"src\":\"alice\",\"dst\":\"bob\",\"payload\":7}",
                    b.expect("CANDIDATE").toString());
            barrier(b, "bob");
            assertTrue(f.call("GET", "/metrics", null, null).text()
                    .contains("kezdesu_peerjs_messages_relayed_total{type=\"OFFER\"} 1.0"));
        }
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesItsSenderWith1007AndReachesNobody(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient b = p.open("bob", "t2");
            int port = f.server.address().getPort();
            try (RawWebSocket bad = RawWebSocket.connect(port, "/peerjs/peerjs?key=peerjs&id=eve&token=t&version=1")) {
                assertEquals("{\"type\":\"OPEN\"}", bad.next().text());
                // Valid JSON around a string holding an overlong encoding of '/' (C0 AF): ws refuses it as not UTF-8.
                byte[] json = "{\"type\":\"OFFER\",\"dst\":\"bob\",\"payload\":\"x?y\"}"
                        .getBytes(StandardCharsets.US_ASCII);
                int at = new String(json, StandardCharsets.US_ASCII).indexOf('?');
                byte[] bytes = new byte[json.length + 1];
                System.arraycopy(json, 0, bytes, 0, at);
                bytes[at] = (byte) 0xC0;
                bytes[at + 1] = (byte) 0xAF;
                System.arraycopy(json, at + 1, bytes, at + 2, json.length - at - 1);
                bad.send(RawWebSocket.TEXT, bytes);
                assertEquals(1007, bad.awaitClose());
            }
            // The same bytes in a binary frame are ignored and the sender stays; nothing reached bob in between.
            try (RawWebSocket bin = RawWebSocket.connect(port, "/peerjs/peerjs?key=peerjs&id=eve2&token=t&version=1")) {
                assertEquals("{\"type\":\"OPEN\"}", bin.next().text());
                bin.send(RawWebSocket.BINARY, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'});
                bin.send(RawWebSocket.TEXT, "{\"type\":\"CANDIDATE\",\"dst\":\"bob\",\"payload\":1}"
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"type\":\"CANDIDATE\",\"src\":\"eve2\",\"dst\":\"bob\",\"payload\":1}",
                        b.expect("CANDIDATE").toString());
            }
            barrier(b, "bob");
        }
    }

    @Test
    void messagesForAnOfflineIdWaitForItInOrder(@TempDir Path dir) {
        // The queue waits for the id a minute here, not the default 5 s: on a loaded machine those ran out.
        try (SignalingFixture f = SignalingFixture.start(dir, LONG_WAIT); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            a.send(msg("OFFER", "carol", Map.of("n", 1)));
            a.send(msg("CANDIDATE", "carol", Map.of("n", 2)));
            a.send(msg("LEAVE", "carol", null)); // LEAVE and EXPIRE are never queued
            barrier(a, "alice");
            WsClient c = p.raw("peerjs", "carol", "t3");
            c.expect("OPEN");
            assertEquals(1, c.expect("OFFER").path("payload").path("n").asInt());
            assertEquals(2, c.expect("CANDIDATE").path("payload").path("n").asInt());
            barrier(c, "carol");
        }
    }

    @Test
    void undeliveredMessagesExpireWithOneExpirePerSender(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-expire-timeout", "1s"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            WsClient b = p.open("bob", "t2");
            a.send(msg("OFFER", "ghost", Map.of()));
            a.send(msg("CANDIDATE", "ghost", Map.of()));
            b.send(msg("OFFER", "ghost", Map.of()));
            assertEquals("{\"type\":\"EXPIRE\",\"src\":\"ghost\",\"dst\":\"alice\"}", a.expect("EXPIRE").toString());
            assertEquals("{\"type\":\"EXPIRE\",\"src\":\"ghost\",\"dst\":\"bob\"}", b.expect("EXPIRE").toString());
            barrier(a, "alice");
            // The queue is gone: ghost arriving now hears nothing old.
            WsClient g = p.open("ghost", "t");
            barrier(g, "ghost");
        }
    }

    @Test
    void aFullQueueDropsMessagesButItsSendersStillHearExpire(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-queue-limit", "1",
                "peerjs-expire-timeout", "1s")); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            WsClient b = p.open("bob", "t2");
            a.send(msg("OFFER", "ghost", Map.of()));
            b.send(msg("OFFER", "ghost", Map.of()));
            assertEquals("ghost", a.expect("EXPIRE").path("src").asText());
            assertEquals("ghost", b.expect("EXPIRE").path("src").asText());
        }
    }

    @Test
    void oneSenderCannotQueueMoreThanItsByteBudgetForOfflineIds(@TempDir Path dir) {
        // The queue waits a minute: at the default 5 s, a loaded machine let it expire before the id came (CI).
        try (SignalingFixture f = SignalingFixture.start(dir, LONG_WAIT); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            WsClient b = p.open("bob", "t2");
            // At the defaults, 20 messages of 100 kB for an offline id: the sender's 1 MiB holds ten of them; the
            // rest are dropped (before the byte budget, all 20 waited: up to 256 of 1 MiB for one id).
            for (int i = 0; i < 20; i++) {
                a.send(msg("OFFER", "ghost", Map.of("n", i, "pad", "x".repeat(100_000))));
            }
            barrier(a, "alice");
            // Another sender has a budget of its own.
            b.send(msg("OFFER", "ghost", Map.of("n", 100)));
            barrier(b, "bob");
            WsClient g = p.raw("peerjs", "ghost", "t3");
            g.expect("OPEN");
            for (int i = 0; i < 10; i++) {
                assertEquals(i, g.expect("OFFER").path("payload").path("n").asInt());
            }
            assertEquals(100, g.expect("OFFER").path("payload").path("n").asInt());
            barrier(g, "ghost");
        }
    }

    @Test
    void allQueuesTogetherHoldAtMostTheirByteBudget(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-queue-bytes", "32KiB",
                "peerjs-expire-timeout", "60s"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            WsClient b = p.open("bob", "t2");
            a.send(msg("OFFER", "ghost1", Map.of("n", 1, "pad", "x".repeat(20_000))));
            barrier(a, "alice");
            // Bob's own budget has room; all queues together have not.
            b.send(msg("OFFER", "ghost2", Map.of("n", 2, "pad", "x".repeat(20_000))));
            barrier(b, "bob");
            WsClient g1 = p.raw("peerjs", "ghost1", "t3");
            g1.expect("OPEN");
            assertEquals(1, g1.expect("OFFER").path("payload").path("n").asInt());
            WsClient g2 = p.raw("peerjs", "ghost2", "t4");
            g2.expect("OPEN");
            barrier(g2, "ghost2");
        }
    }

    @Test
    void pastTheLimitOfOfflineIdsTheSenderHearsExpireAtOnce(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-queue-ids", "2",
                "peerjs-expire-timeout", "60s")); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            a.send(msg("OFFER", "ghost1", Map.of()));
            a.send(msg("OFFER", "ghost2", Map.of()));
            a.send(msg("OFFER", "ghost3", Map.of()));
            // Long before the expire timeout: no queue could be made for ghost3.
            assertEquals("{\"type\":\"EXPIRE\",\"src\":\"ghost3\",\"dst\":\"alice\"}", a.expect("EXPIRE").toString());
            WsClient g = p.raw("peerjs", "ghost2", "t2");
            g.expect("OPEN");
            g.expect("OFFER");
            // ghost2's queue is gone, so there is room for a new id again.
            a.send(msg("OFFER", "ghost4", Map.of("n", 4)));
            barrier(a, "alice");
            WsClient g4 = p.raw("peerjs", "ghost4", "t4");
            g4.expect("OPEN");
            assertEquals(4, g4.expect("OFFER").path("payload").path("n").asInt());
        }
    }

    @Test
    void aLeaveWithoutDstFreesTheIdAndClosesTheSocket(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of()); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient a = p.open("alice", "t1");
            a.send(Map.of("type", "LEAVE"));
            assertEquals(NO_STATUS, a.closeCode());
            // The id is free for anyone, and nothing more can be sent under it from the old socket.
            WsClient other = p.open("alice", "t2");
            barrier(other, "alice");
        }
    }

    @Test
    void aClientWithoutHeartbeatIsDroppedAndOneWithHeartbeatsStays(@TempDir Path dir) throws Exception {
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-alive-timeout", "1s"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient alive = p.open("alive", "t1");
            WsClient silent = p.open("silent", "t2");
            beat.scheduleAtFixedRate(() -> alive.send(Map.of("type", "HEARTBEAT")), 0, 200, TimeUnit.MILLISECONDS);
            assertEquals(NO_STATUS, silent.closeCode());
            beat.shutdown();
            assertTrue(beat.awaitTermination(5, TimeUnit.SECONDS));
            barrier(alive, "alive");
            // The id is free again, for any token.
            p.open("silent", "other");
        } finally {
            beat.shutdownNow();
        }
    }

    @Test
    void sizeAndRateLimitsWhenConfigured(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-max-message-size", "1024",
                "peerjs-rate-limit", "5")); PeerJsPeers p = new PeerJsPeers(f)) {
            WsClient big = p.open("big", "t");
            big.send(msg("OFFER", "x", "y".repeat(2000)));
            assertTrue(big.expect("ERROR").path("payload").path("msg").asText().contains("1024 bytes"));
            assertEquals(1009, big.closeCode());
            WsClient fast = p.open("fast", "t");
            // A burst of twice the rate passes; the next message is one too many. Sending nothing after it keeps
            // the server's close from resetting a connection with unread data (which would lose the ERROR).
            for (int i = 0; i < 11; i++) {
                fast.send(msg("HEARTBEAT", null, null));
            }
            assertTrue(fast.expect("ERROR").path("payload").path("msg").asText().contains("5 messages per second"));
            assertEquals(1008, fast.closeCode());
        }
    }

    @Test
    void withAuthRequiredTheTokenIsALoginTokenAndIdsBelongToAccounts(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-require-auth", "true"));
             PeerJsPeers p = new PeerJsPeers(f)) {
            SignalingFixture.TestUser ann = f.user("Ann");
            SignalingFixture.TestUser ben = f.user("Ben");
            WsClient anon = p.raw("peerjs", "x", "not-a-jwt");
            assertEquals("Invalid token provided", anon.expect("ERROR").path("payload").path("msg").asText());
            assertEquals(NO_STATUS, anon.closeCode());
            WsClient first = p.open("ann", ann.token());
            WsClient other = p.raw("peerjs", "ann", ben.token());
            other.expect("ID-TAKEN");
            // Another device of the same account (here: the same token) takes the id over.
            WsClient second = p.open("ann", ann.token());
            assertEquals(NO_STATUS, first.closeCode());
            barrier(second, "ann");
        }
    }

    /** peerjs-require-auth takes the configured identity provider's access tokens like the API does. */
    @Test
    void withAuthRequiredAnIdentityProvidersTokenIsALoginToo(@TempDir Path dir) throws Exception {
        try (io.kezdesu.common.auth.oidc.TestProvider idp = new io.kezdesu.common.auth.oidc.TestProvider()) {
            io.kezdesu.common.auth.oidc.TestProvider.Key key = io.kezdesu.common.auth.oidc.TestProvider.Key.es256("k");
            idp.publish(key);
            try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-require-auth", "true",
                    "oidc-issuer", idp.issuer(), "oidc-audience", "kezdesu"));
                 PeerJsPeers p = new PeerJsPeers(f)) {
                WsClient ada = p.open("ada", idp.token(key, Map.of("sub", "ada-at-idp")));
                barrier(ada, "ada");
                WsClient wrong = p.raw("peerjs", "bob", idp.token(key, Map.of("sub", "bob", "aud", "other")));
                assertEquals("Invalid token provided", wrong.expect("ERROR").path("payload").path("msg").asText());
            }
        }
    }

    @Test
    void aDisabledEndpointIsNotThere(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("peerjs-enabled", "false"))) {
            assertEquals(404, f.call("GET", "/peerjs/peerjs/id", null, null).status());
            assertFalse(f.call("GET", "/peerjs", null, null).text().contains("PeerJS Server"));
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.onSpinWait();
        }
    }
}
