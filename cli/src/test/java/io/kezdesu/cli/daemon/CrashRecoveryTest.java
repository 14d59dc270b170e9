package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.signaling.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon killed with SIGKILL mid-conference: the next run from the same data directory closes the conference,
 * marked crashed, at its node's last heartbeat, once nobody has resumed into it for a resume grace.
 */
class CrashRecoveryTest {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void aConferenceInterruptedByACrashIsClosedOnTheNextStart() throws Exception {
        DaemonProcess d = DaemonProcess.start(dataDir, "--node-timeout", "3s");
        Process first = d.process;
        double minutesBeforeKill;
        int port = d.port;
        String room;
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + port)) {
            String token = c.registerAndLogin("crash@example.org", "C", "crash password");
            room = c.post("/api/rooms", Map.of("name", "Doomed"), token).json().path("id").asText();
            WsClient ws = WsClient.connect(HttpClient.newHttpClient(), "ws://127.0.0.1:" + port + "/ws?token=" + token);
            ws.send(Map.of("type", "join", "room", room));
            ws.expect("joined");
            String admin = Secrets.resolve(io.kezdesu.common.config.Config.defaults(), DataDirectory.open(dataDir))
                    .adminToken();
            // A node heartbeat (every second here) after the join: the live report counts time past the join.
            minutesBeforeKill = await(port, admin, room, r -> r.path("status").asText().equals("active")
                    && r.path("participantMinutes").asDouble() > 0).path("participantMinutes").asDouble();
            first.destroyForcibly();
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));
            ws.abort();
        }
        DaemonProcess d2 = DaemonProcess.start(dataDir, "--resume-grace", "2s");
        Process second = d2.process;
        try {
            int port2 = d2.port;
            String admin = Secrets.resolve(io.kezdesu.common.config.Config.defaults(), DataDirectory.open(dataDir))
                    .adminToken();
            // The next run from the same data directory supersedes the killed one as it starts (not once its
            // heartbeat is node-timeout, 10 s, old); the conference waits a resume grace for its people to come back
            // (they would take it over), and nobody comes: it is closed.
            JsonNode early = get(port2, admin, "/admin/reports?room=" + room).path("conferences").path(0);
            assertEquals("active", early.path("status").asText(), "open for a resume at first: " + early);
            JsonNode report = await(port2, admin, room, c -> c.path("status").asText().equals("ended"));
            assertEquals("crashed", report.path("endReason").asText());
            JsonNode full = get(port2, admin, "/admin/reports/" + report.path("id").asText());
            JsonNode interval = full.path("participants").path(0).path("intervals").path(0);
            assertEquals("crashed", interval.path("reason").asText());
            // Its end is the last moment it is known to have run, its last heartbeat: after the join, not the
            // moment of the restart; the person in it is counted until then.
            Instant joined = Instant.parse(interval.path("joinedAt").asText());
            Instant ended = Instant.parse(full.path("endedAt").asText());
            assertTrue(ended.isAfter(joined), full.toString());
            assertTrue(full.path("participantMinutes").asDouble() >= minutesBeforeKill, full.toString());
            assertEquals(full.path("endedAt").asText(), interval.path("leftAt").asText());
            double seconds = Duration.between(joined, ended).toMillis() / 1000.0;
            assertEquals(seconds, full.path("participants").path(0).path("seconds").asDouble(), 1e-3);
            assertEquals(seconds / 60, full.path("participantMinutes").asDouble(), 1e-3);
        } finally {
            second.destroy();
            assertTrue(second.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private static JsonNode await(int port, String admin, String room, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode list = null;
        while (System.nanoTime() < deadline) {
            list = get(port, admin, "/admin/reports?room=" + room).path("conferences");
            if (list.size() == 1 && until.test(list.path(0))) {
                return list.path(0);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("room " + room + ": no such conference in " + list);
    }

    private static JsonNode get(int port, String admin, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + admin).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }


}
