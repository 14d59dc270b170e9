package io.kezdesu.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.CliRun;
import io.kezdesu.cli.daemon.TestDaemon;
import io.kezdesu.signaling.WsClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code kezdesu room …} and {@code kezdesu report …} act on a live daemon: people in the room see it at once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomAndReportCommandTest {

    private TestDaemon daemon;
    private Path dataDir;

    @BeforeAll
    void start(@TempDir Path dir) {
        dataDir = dir;
        daemon = TestDaemon.start(dir, Map.of());
    }

    @AfterAll
    void stop() {
        daemon.close();
    }

    private CliRun kezdesu(String... args) {
        return CliRun.inDataDir(dataDir, args);
    }

    private String token(String email, String name) throws Exception {
        String password = kezdesu("user", "add", "--email", email, "--name", name, "--json").json().path("password")
                .asText();
        return daemon.login(email, password).json().path("token").asText();
    }

    private WsClient join(String token, String room) {
        WsClient c = WsClient.connect(HttpClient.newHttpClient(), daemon.base().replace("http", "ws") + "/ws?token="
                + token);
        c.send(Map.of("type", "join", "room", room));
        c.joined = c.expect("joined");
        return c;
    }

    @Test
    void administerALiveRoomThenReadItsReport() throws Exception {
        String headToken = token("head@example.org", "Head");
        String patToken = token("pat@example.org", "Pat");
        String samToken = token("sam@example.org", "Sam");
        CliRun created = kezdesu("room", "create", "--name", "Ops", "--head", "head@example.org",
                "--max-participants", "5", "--json");
        assertEquals(0, created.code(), created.err());
        String room = created.json().path("id").asText();
        assertEquals(5, created.json().path("maxParticipants").asInt());

        WsClient head = join(headToken, room);
        WsClient pat = join(patToken, room);
        WsClient sam = join(samToken, room);
        head.expect("peer-joined");
        head.expect("peer-joined");

        CliRun show = kezdesu("room", "show", room);
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("participants:  3"), show.out());
        assertTrue(show.out().contains("Pat"), show.out());

        assertEquals(0, kezdesu("room", "lock", room).code());
        assertTrue(head.await("room-updated").path("room").path("locked").asBoolean());
        assertEquals(0, kezdesu("room", "limit", room, "3").code());
        assertEquals(3, head.await("room-updated").path("room").path("maxParticipants").asInt());

        CliRun kicked = kezdesu("room", "kick", room, "pat@example.org");
        assertEquals(0, kicked.code(), kicked.err());
        assertEquals("kicked pat@example.org\n", kicked.out());
        pat.await("kicked");
        assertEquals("kicked", head.await("peer-left").path("reason").asText());
        assertEquals("pat@example.org is not in the room now\n",
                kezdesu("room", "kick", room, "pat@example.org").out());
        assertEquals("banned nobody-1 (not in the room now)\n",
                kezdesu("room", "kick", room, "nobody-1", "--ban").out());

        assertEquals(0, kezdesu("room", "promote", room, "sam@example.org").code());
        assertEquals("moderator", sam.await("role-changed").path("role").asText());

        assertTrue(kezdesu("room", "list").out().contains(room));
        assertEquals(0, kezdesu("room", "close", room).code());
        head.await("room-closed");
        sam.await("room-closed");
        assertTrue(!kezdesu("room", "list").out().contains(room), "closed rooms are hidden");
        assertTrue(kezdesu("room", "list", "--all").out().contains(room));
        CliRun lockClosed = kezdesu("room", "lock", room);
        assertEquals(1, lockClosed.code());
        assertEquals("kezdesu: room " + room + " is closed; a closed room cannot be changed (room-closed)\n",
                lockClosed.err());

        JsonNode reports = awaitReport(room);
        String conference = reports.path(0).path("id").asText();
        assertEquals("closed", reports.path(0).path("endReason").asText());
        assertEquals(3, reports.path(0).path("peakParticipants").asInt());

        CliRun csv = kezdesu("report", "export", conference, "--format", "csv");
        assertEquals(0, csv.code(), csv.err());
        assertTrue(csv.out().startsWith("conference_id,room_id,room_name,user_id,name,joined_at,left_at,seconds,"
                + "reason"), csv.out());
        assertEquals(4, csv.out().lines().count(), csv.out());
        assertTrue(csv.out().contains(",kicked"), csv.out());
        CliRun report = kezdesu("report", "show", conference);
        assertTrue(report.out().contains("room:        Ops"), report.out());
        assertEquals(2, kezdesu("report", "export", conference, "--format", "xml").code());
        CliRun nowhere = kezdesu("report", "export", conference, "--output", "/nonexistent/dir/x.csv");
        assertEquals(1, nowhere.code());
        assertEquals("kezdesu: --output: /nonexistent/dir/x.csv (expected: a file in an existing directory; "
                + "/nonexistent/dir does not exist)\n", nowhere.err());
    }

    @Test
    void errorsNameTheProblem() {
        CliRun missing = kezdesu("room", "show", "nope");
        assertEquals(1, missing.code());
        assertEquals("kezdesu: no room nope (not-found)\n", missing.err());
        CliRun noHead = kezdesu("room", "create", "--name", "X", "--head", "ghost@example.org");
        assertEquals(1, noHead.code());
        assertTrue(noHead.err().contains("no user ghost@example.org"), noHead.err());
        assertEquals(1, kezdesu("report", "show", "nope").code());
        // Ids are base64url, so some start with '-': they are ids, not unknown options.
        CliRun dash = kezdesu("room", "show", "-Xy_1");
        assertEquals("kezdesu: no room -Xy_1 (not-found)\n", dash.err());
        assertEquals(1, dash.code());
        CliRun dashReport = kezdesu("report", "export", "-Xy_1", "--format", "csv");
        assertEquals(1, dashReport.code(), dashReport.err());
        assertTrue(dashReport.err().contains("-Xy_1"), dashReport.err());
        // A mistyped option is still an error, not silently taken for something else.
        assertEquals(2, kezdesu("room", "create", "--nmae", "X", "--head", "h@example.org").code());
    }

    private JsonNode awaitReport(String room) throws Exception {
        // The record is written after the close; poll the CLI until it shows the end.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode list = kezdesu("report", "list", "--room", room, "--json").json();
            if (list.size() == 1 && list.path(0).path("status").asText().equals("ended")) {
                return list;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no ended report for " + room);
    }
}
