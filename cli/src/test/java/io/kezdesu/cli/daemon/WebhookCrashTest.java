package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 between an event and its delivery loses nothing: events not delivered yet (one of them in the middle of its
 * delivery) wait in the outbox in the store, and the daemon started again on the same data directory delivers every
 * one of them, once, in order, without waiting for the dead run's claim to lapse.
 */
class WebhookCrashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "the crash test's webhook key".getBytes(StandardCharsets.US_ASCII));
    private static final Pattern PENDING = Pattern.compile("(?m)^kezdesu_webhooks_pending ([0-9.]+)");
    /** Generous: bounds how long a broken test waits; never a performance assertion. */
    private static final long WAIT_MS = 30_000;
    private static final long AFTER_RESTART_MS = 20_000;

    @TempDir
    Path dataDir;

    @Test
    void eventsWaitingForTheReceiverSurviveKillNine() throws Exception {
        AtomicBoolean accept = new AtomicBoolean(false);
        java.util.concurrent.CountDownLatch tried = new java.util.concurrent.CountDownLatch(1);
        BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        List<String> ids = new ArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!accept.get()) {
                // No answer at all: the node is killed in the middle of this delivery, with the event claimed.
                tried.countDown();
                return;
            } else {
                synchronized (ids) {
                    ids.add(exchange.getRequestHeaders().getFirst("webhook-id"));
                }
                received.add(JSON.readTree(body));
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        receiver.start();
        String[] options = {"--webhooks", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook " + SECRET,
                "--webhook-first-retry", "100ms"};
        DaemonProcess first = DaemonProcess.start(dataDir, options);
        DaemonProcess second = null;
        try {
            String token;
            try (TestDaemon.Client c = new TestDaemon.Client(first.base())) {
                token = c.registerAndLogin("ada@example.org", "Ada", "ada's password");
                String room = c.post("/api/rooms", Map.of("name", "Before"), token).json().path("id").asText();
                for (String name : List.of("During", "After")) {
                    assertEquals(200, c.patch("/api/rooms/" + room, Map.of("name", name), token).status());
                }
            }
            // The three events are in the store's outbox (the node counts them there), and the first is being
            // delivered (claimed) when the node dies: none was delivered.
            awaitPending(first, 3);
            assertTrue(tried.await(WAIT_MS, TimeUnit.MILLISECONDS), "the receiver was tried");
            first.process.destroyForcibly();
            assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));

            accept.set(true);
            second = DaemonProcess.start(dataDir, options);
            List<String> names = new ArrayList<>();
            List<String> types = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // Sooner than a claim lapses (30 s): the next run frees what its previous run was delivering.
                JsonNode event = received.poll(AFTER_RESTART_MS, TimeUnit.MILLISECONDS);
                assertTrue(event != null, "event " + (i + 1) + " delivered after the restart; so far " + types);
                types.add(event.path("type").asText());
                names.add(event.path("data").path("name").asText());
            }
            assertEquals(List.of("room.created", "room.updated", "room.updated"), types);
            assertEquals(List.of("Before", "During", "After"), names);
            assertNull(received.poll(1, TimeUnit.SECONDS), "each once");
            assertEquals(3, ids.stream().distinct().count());
        } finally {
            receiver.stop(0);
            first.process.destroyForcibly();
            if (second != null) {
                second.process.destroy();
                second.process.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    /** Polls the node's /metrics until its outbox holds {@code n} undelivered events (counted on each pass). */
    private static void awaitPending(DaemonProcess node, int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + WAIT_MS;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = http.send(HttpRequest.newBuilder(java.net.URI.create(node.base() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = PENDING.matcher(text);
            if (m.find() && Double.parseDouble(m.group(1)) >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the outbox never held " + n + " events: " + text);
    }
}
