package io.kezdesu.signaling.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.config.ConfigLoader;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.cluster.NodeRegistry;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.room.ConferenceEvents;
import io.kezdesu.signaling.room.Room;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conference recorded into the embedded store, its report while it runs, its recorder abandoned mid-call as a crash
 * leaves it, and the next server start closing it at its node's last heartbeat.
 */
class ConferenceRecorderTest {

    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aLiveConferencesReportRunsToItsNodesLastHeartbeatAndACrashEndsItThere(@TempDir Path dir) {
        ManualClock clock = new ManualClock(T0);
        Room room = new Room("r1", "Standup", "head", Set.of(), 10, false, null, false, Set.of(), false, T0, T0, 0);
        String id;
        try (Store store = open(dir)) {
            NodeRegistry node = new NodeRegistry(store.database(), () -> "http://192.0.2.9:8080", clock,
                    Duration.ofSeconds(10));
            node.register().block(WAIT);
            ConferenceRepository repository = new ConferenceRepository(store.database());
            repository.nodesSeen(() -> node.view().map(view -> view.heartbeats()::get));
            ConferenceRecorder recorder = new ConferenceRecorder(repository, node.id());
            id = recorder.started(room, T0);
            recorder.joined(id, "p-head", "head", "Head", "h1", T0);
            clock.advance(Duration.ofSeconds(10));
            recorder.joined(id, "p-bob", "bob", "Bob", "h2", clock.instant());
            awaitIdle(recorder);
            clock.advance(Duration.ofSeconds(45));
            assertEquals(10 / 60.0, repository.report(id).block(WAIT).getDouble("participantMinutes"), 1e-3,
                    "no heartbeat since the last join: the report runs to it");
            node.heartbeat().block(WAIT);
            // Nothing was written for the 45 s; the node's heartbeat says how long the conference has run.
            Document live = repository.report(id).block(WAIT);
            assertEquals("active", live.getString("status"));
            assertEquals((55 + 45) / 60.0, live.getDouble("participantMinutes"), 1e-3);
            assertEquals(10 / 60.0, repository.findById(id).block(WAIT).getDouble("participantMinutes"), 1e-3,
                    "the stored record is as the last event left it");
            // Alive a little longer, then killed: what came after its node's last heartbeat is lost. By the next
            // start that node has been dead for longer than a resume grace.
            clock.advance(Duration.ofSeconds(40));
        }

        try (SignalingFixture restarted = SignalingFixture.start(dir, Map.of(), clock)) {
            Map<String, Object> doc = ReportFormat.full(new ConferenceRepository(restarted.store.database())
                    .findById(id).block(WAIT));
            JsonNode report = Json.MAPPER.valueToTree(doc);
            Instant heartbeat = T0.plusSeconds(55);
            assertEquals("ended", report.path("status").asText());
            assertEquals("crashed", report.path("endReason").asText());
            assertEquals(T0.toString(), report.path("startedAt").asText());
            assertEquals(heartbeat.toString(), report.path("endedAt").asText());
            assertEquals((55 + 45) / 60.0, report.path("participantMinutes").asDouble(), 1e-3);
            assertParticipant(report, "head", T0, heartbeat, 55);
            assertParticipant(report, "bob", T0.plusSeconds(10), heartbeat, 45);
            List<String> csv = ReportFormat.csv(new ConferenceRepository(restarted.store.database()).findById(id)
                    .block(WAIT)).lines().toList();
            assertEquals(String.join(",", id, "r1", "Standup", "bob", "Bob", T0.plusSeconds(10).toString(),
                    heartbeat.toString(), "45.0", "crashed"), csv.get(2));
        }
    }

    @Test
    void aJoinAfterTheNodesLastHeartbeatMovesTheRecoveredEndToThatJoin(@TempDir Path dir) {
        ManualClock clock = new ManualClock(T0);
        Room room = new Room("r1", "Standup", "head", Set.of(), 10, false, null, false, Set.of(), false, T0, T0, 0);
        try (Store store = open(dir)) {
            ConferenceRepository repository = new ConferenceRepository(store.database());
            ConferenceRecorder recorder = new ConferenceRecorder(repository, "n1");
            String id = recorder.started(room, T0);
            recorder.joined(id, "p-head", "head", "Head", "h1", T0);
            clock.advance(Duration.ofSeconds(40));
            recorder.joined(id, "p-bob", "bob", "Bob", "h2", clock.instant());
            awaitIdle(recorder);

            new ConferenceRecorder(repository).recoverOrphans(java.util.Set.of(),
                    Map.of("n1", T0.plusSeconds(30))).block(WAIT);
            JsonNode report = Json.MAPPER.valueToTree(ReportFormat.full(repository.findById(id).block(WAIT)));
            assertEquals(T0.plusSeconds(40).toString(), report.path("endedAt").asText());
            assertParticipant(report, "head", T0, T0.plusSeconds(40), 40);
            assertParticipant(report, "bob", T0.plusSeconds(40), T0.plusSeconds(40), 0);
        }
    }

    @Test
    void aConferenceTakenOverGoesOnAtTheNewNodeWithItsPeopleAndTheOldNodeNoLongerWritesIt(@TempDir Path dir) {
        Room room = new Room("r2", "Standup", "head", Set.of(), 10, false, null, false, Set.of(), false, T0, T0, 0);
        try (Store store = open(dir)) {
            ConferenceRepository repository = new ConferenceRepository(store.database());
            ConferenceRecorder oldNode = new ConferenceRecorder(repository, "old");
            String id = oldNode.started(room, T0);
            oldNode.joined(id, "p-head", "head", "Head", "h1", T0);
            oldNode.joined(id, "p-bob", "bob", "Bob", "h2", T0.plusSeconds(5));
            oldNode.left(id, "p-bob", "bob", T0.plusSeconds(8), "left");
            oldNode.joined(id, "p-bob2", "bob", "Bob", "h3", T0.plusSeconds(9));
            // The head extended the time limit twice: 10 then 15 minutes in all.
            oldNode.extended(id, Duration.ofMinutes(10));
            oldNode.extended(id, Duration.ofMinutes(15));
            // And a moderator kicked Carol out of this conference.
            oldNode.kicked(id, "carol");
            awaitIdle(oldNode);

            ConferenceRecorder newNode = new ConferenceRecorder(repository, "new");
            ConferenceEvents.TakenOver taken = newNode.takeOver("r2").block(WAIT).orElseThrow();
            assertEquals(id, taken.conferenceId(), "the same conference, not a new one");
            assertEquals(List.of(new ConferenceEvents.Seated("p-head", "head", "Head", "h1"),
                    new ConferenceEvents.Seated("p-bob2", "bob", "Bob", "h3")), taken.seated());
            assertEquals(Duration.ofMinutes(15), taken.extension(), "what the head added goes on with it");
            assertEquals(Set.of("carol"), taken.kicked(), "and who was kicked out stays out");
            assertEquals(Optional.empty(), newNode.takeOver("r2").block(WAIT), "its own already");

            // The old node, cut off but not dead, writes once more: the record stays the new node's.
            oldNode.left(id, "p-head", "head", T0.plusSeconds(20), "left");
            awaitIdle(oldNode);
            newNode.left(id, "p-bob2", "bob", T0.plusSeconds(30), "left");
            awaitIdle(newNode);
            org.bson.Document doc = repository.findById(id).block(WAIT);
            assertEquals("new", doc.getString("node"));
            assertEquals(1, doc.getList("seats", org.bson.Document.class).size(), "Ada is still in: " + doc.toJson());
        }
    }

    private static void awaitIdle(ConferenceRecorder recorder) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!recorder.idle() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    @Test
    void eventsRecordedAfterTheStoreClosedAreRefusedQuietlyNotThrownAtTheRoom(@TempDir Path dir) {
        Room room = new Room("r3", "Standup", "head", Set.of(), 10, false, null, false, Set.of(), false, T0, T0, 0);
        Store store = open(dir);
        ConferenceRecorder recorder = new ConferenceRecorder(new ConferenceRepository(store.database()));
        store.close(); // as at a stop, while rooms still report their last events
        String id = recorder.started(room, T0);
        recorder.joined(id, "p-head", "head", "Head", "h1", T0);
        recorder.left(id, "p-head", "head", T0.plusSeconds(30), "left");
        awaitIdle(recorder);
        assertEquals(true, recorder.idle(), "a refused write is settled, not retried for ever");
    }

    private static Store open(Path dir) {
        return Store.open(ConfigLoader.load(Optional.empty(), Map.of(), Map.of("data-dir", List.of(dir.toString()))),
                DataDirectory.open(dir));
    }

    private static void assertParticipant(JsonNode report, String userId, Instant joined, Instant left, double seconds) {
        for (JsonNode p : report.path("participants")) {
            if (p.path("userId").asText().equals(userId)) {
                JsonNode iv = p.path("intervals").path(0);
                assertEquals(1, p.path("intervals").size());
                assertEquals(joined.toString(), iv.path("joinedAt").asText());
                assertEquals(left.toString(), iv.path("leftAt").asText());
                assertEquals("crashed", iv.path("reason").asText());
                assertEquals(seconds, p.path("seconds").asDouble(), 1e-9);
                return;
            }
        }
        throw new AssertionError("no participant " + userId + " in " + report);
    }
}
