package io.kezdesu.signaling.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import io.kezdesu.signaling.report.ConferenceRecorder;
import io.kezdesu.signaling.report.ConferenceRepository;
import io.kezdesu.signaling.room.Room;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks to a real HTTP receiver on loopback: each event signed as Standard Webhooks says (checked here from the
 * specification's formula, with nothing of the server's code), in the order the room lived it, with the right
 * participant counts; and a receiver that refuses for a while gets every event, once, when it takes them again.
 */
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous: bounds how long a broken test waits; never a performance assertion. */
    private static final long WAIT_SECONDS = 30;
    private static final byte[] KEY = "sixteen-or-more-bytes-of-key".getBytes(StandardCharsets.US_ASCII);
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(KEY);

    /** A delivery as the receiver saw it. */
    record Delivery(String id, String timestamp, String signature, JsonNode body, boolean valid) {
        String type() {
            return body.path("type").asText();
        }
    }

    private HttpServer receiver;
    private final BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    /** Answer 503 to this many requests first. */
    private final AtomicInteger refuse = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch refusedOnce = new java.util.concurrent.CountDownLatch(1);

    private String startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                refusedOnce.countDown();
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            var h = exchange.getRequestHeaders();
            // The signature is checked on the raw body, as sent.
            boolean valid = verify(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"), body,
                    h.getFirst("webhook-signature"));
            received.add(new Delivery(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                    h.getFirst("webhook-signature"), JSON.readTree(body), valid));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook " + SECRET;
    }

    /** Standard Webhooks: base64(HMAC-SHA256(key, id "." timestamp "." body)), as "v1,<sig>" (space-separated list). */
    private static boolean verify(String id, String timestamp, byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
            for (String s : header.split(" ")) {
                if (s.equals(expected)) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private List<Delivery> take(int n) throws InterruptedException {
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Delivery d = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertTrue(d != null, "delivery " + (i + 1) + " of " + n + " arrived; so far " + types(out));
            out.add(d);
        }
        return out;
    }

    private static List<String> types(List<Delivery> ds) {
        return ds.stream().map(Delivery::type).toList();
    }

    @Test
    void aRoomsEventsArriveSignedInOrderWithTheRightCounts(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("webhooks", startReceiver()))) {
            TestUser head = f.user("Head");
            TestUser guest = f.user("Guest");
            TestUser third = f.user("Third");
            String room = f.room(head, Map.of("name", "Hooked"));
            WsClient h = f.ws(head);
            h.send(Map.of("type", "join", "room", room));
            h.expect("joined");
            WsClient g = f.ws(guest);
            g.send(Map.of("type", "join", "room", room));
            JsonNode gJoined = g.expect("joined");
            WsClient t = f.ws(third);
            t.send(Map.of("type", "join", "room", room));
            t.expect("joined");
            t.send(Map.of("type", "leave"));
            h.send(Map.of("type", "kick", "to", gJoined.path("you").asText()));
            g.await("kicked");
            h.send(Map.of("type", "leave"));
            List<Delivery> got = take(9);
            assertEquals(List.of("room.created", "conference.started", "participant.joined", "participant.joined",
                    "participant.joined", "participant.left", "participant.kicked", "participant.left",
                    "conference.ended"), types(got));
            assertEquals(200, f.call("PATCH", "/api/rooms/" + room, Map.of("name", "Renamed"), head.token())
                    .status());
            assertEquals(200, f.call("DELETE", "/api/rooms/" + room, null, head.token()).status());
            got.addAll(take(2));
            assertEquals(List.of("room.updated", "room.closed"), types(got.subList(9, 11)));
            assertEquals(List.of(1, 2, 3, 2, 1, 0), got.subList(2, 8).stream()
                    .map(d -> d.body().path("data").path("participantCount").asInt()).toList());
            assertEquals("Renamed", got.get(9).body().path("data").path("name").asText());
            Set<String> ids = new HashSet<>();
            for (Delivery d : got) {
                assertTrue(d.valid(), "signed with the receiver's secret: " + d);
                assertEquals(room, d.body().path("data").path("room").asText(), d.toString());
                assertTrue(d.id().startsWith("msg_") && ids.add(d.id()), "ids are unique: " + d.id());
                assertTrue(Math.abs(Long.parseLong(d.timestamp()) - System.currentTimeMillis() / 1000) < 300);
            }
            assertEquals(0, received.size(), "nothing twice");
        }
    }

    @Test
    void aReceiverThatRefusesForAWhileGetsEveryEventOnceInOrder(@TempDir Path dir) throws Exception {
        refuse.set(5);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("webhooks", startReceiver(),
                "webhook-first-retry", "100ms"))) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of("name", "Patient"));
            for (int i = 0; i < 3; i++) {
                assertEquals(200, f.call("PATCH", "/api/rooms/" + room, Map.of("name", "Patient " + i), head.token())
                        .status());
            }
            List<Delivery> got = take(4);
            assertEquals(List.of("room.created", "room.updated", "room.updated", "room.updated"), types(got));
            assertEquals(List.of("Patient", "Patient 0", "Patient 1", "Patient 2"),
                    got.stream().map(d -> d.body().path("data").path("name").asText()).toList());
            assertEquals(5, refused.get(), "the refusals happened, and were retried");
            assertEquals(4, got.stream().map(Delivery::id).distinct().count());
            assertEquals(null, received.poll(1, TimeUnit.SECONDS), "nothing delivered twice");
        }
    }

    /**
     * The wall clock stepped back (NTP at boot, a VM resumed) between two events of a room, while the first was still
     * waiting for a retry: the later event is not delivered before the earlier ones (the outbox orders by the time
     * an event was reported, which then went back).
     */
    @Test
    void aClockSteppedBackDoesNotReorderARoomsEvents(@TempDir Path dir) throws Exception {
        refuse.set(1);
        ManualClock clock = new ManualClock(Instant.now());
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("webhooks", startReceiver(),
                "webhook-first-retry", "100ms"), clock)) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of("name", "Before"));
            // room.created was refused once: it waits for its retry, 100 ms later by this clock; what follows waits
            // behind it.
            assertTrue(refusedOnce.await(WAIT_SECONDS, TimeUnit.SECONDS), "the receiver refused room.created");
            assertEquals(200, f.call("PATCH", "/api/rooms/" + room, Map.of("name", "Still before"), head.token())
                    .status());
            clock.advance(Duration.ofSeconds(-30));
            assertEquals(200, f.call("PATCH", "/api/rooms/" + room, Map.of("name", "After the step"), head.token())
                    .status());
            clock.advance(Duration.ofSeconds(31));
            List<Delivery> got = take(3);
            assertEquals(List.of("Before", "Still before", "After the step"),
                    got.stream().map(d -> d.body().path("data").path("name").asText()).toList());
        }
    }

    /**
     * A conference whose node died is closed by crash recovery on the next node to start: its receivers hear that
     * everyone still in it left and that it ended, reason {@code crashed} (they used to hear nothing, and the
     * conference stayed open in their eyes).
     */
    @Test
    void aConferenceLeftOpenByACrashEndsForTheReceiversToo(@TempDir Path dir) throws Exception {
        Instant t0 = Instant.parse("2026-12-07T09:00:00Z");
        Room standup = new Room("r1", "Standup", "head", Set.of(), 10, false, null, false, Set.of(), false, t0, t0,
                0);
        String conference;
        try (Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, dir), DataDirectory.open(dir))) {
            ConferenceRecorder recorder = new ConferenceRecorder(new ConferenceRepository(store.database()), "gone");
            conference = recorder.started(standup, t0);
            recorder.joined(conference, "p-head", "head", "Head", "h1", t0);
            recorder.joined(conference, "p-bob", "bob", "Bob", "h2", t0.plusSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (!recorder.idle()) {
                assertTrue(System.nanoTime() < deadline, "the records were written");
                Thread.onSpinWait();
            }
        }
        // The node that ran it is gone; the next one to start closes the conference.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("webhooks", startReceiver()))) {
            List<Delivery> got = take(3);
            assertEquals(List.of("participant.left", "participant.left", "conference.ended"), types(got));
            for (Delivery d : got) {
                assertTrue(d.valid(), d.toString());
                assertEquals("r1", d.body().path("data").path("room").asText(), d.toString());
                assertEquals(conference, d.body().path("data").path("conference").asText(), d.toString());
                assertEquals("crashed", d.body().path("data").path("reason").asText(), d.toString());
                assertEquals(t0.plusSeconds(10).toString(), d.body().path("timestamp").asText(),
                        "at its last known moment: " + d);
            }
            assertEquals(List.of("p-head", "p-bob"), got.subList(0, 2).stream()
                    .map(d -> d.body().path("data").path("participant").asText()).toList());
            assertEquals(List.of(1, 0), got.subList(0, 2).stream()
                    .map(d -> d.body().path("data").path("participantCount").asInt()).toList());
        }
    }

    /** LiveKit's counts went wrong when people joined at once (livekit#2399): here each count is taken in order. */
    @Test
    void countsAreRightWhenManyJoinAndLeaveAtOnce(@TempDir Path dir) throws Exception {
        int n = 20;
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("webhooks", startReceiver()))) {
            TestUser head = f.user("Head");
            String room = f.room(head, Map.of("name", "Rush", "maxParticipants", n));
            List<WsClient> people = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                people.add(f.ws(f.user("P" + i)));
            }
            WsClient.sendAllAtOnce(people, Map.of("type", "join", "room", room));
            for (WsClient c : people) {
                c.await("joined");
            }
            WsClient.sendAllAtOnce(people, Map.of("type", "leave"));
            // room.created, conference.started, n joins, n departures, conference.ended.
            List<Delivery> got = take(2 * n + 3);
            List<Integer> joins = got.stream().filter(d -> d.type().equals("participant.joined"))
                    .map(d -> d.body().path("data").path("participantCount").asInt()).toList();
            List<Integer> lefts = got.stream().filter(d -> d.type().equals("participant.left"))
                    .map(d -> d.body().path("data").path("participantCount").asInt()).toList();
            List<Integer> up = new ArrayList<>();
            List<Integer> down = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                up.add(i);
                down.add(n - i);
            }
            assertEquals(up, joins, "each join counted once, in the order the room took them");
            assertEquals(down, lefts);
            assertEquals("conference.ended", got.get(got.size() - 1).type());
        }
    }
}
