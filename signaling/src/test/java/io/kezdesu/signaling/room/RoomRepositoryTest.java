package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of room write, through the real driver against the embedded store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private SignalingFixture f;
    private RoomRepository rooms;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
        rooms = new RoomRepository(f.store.database());
    }

    @AfterAll
    void stop() {
        f.close();
    }

    private Room newRoom(String head, Set<String> moderators) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return rooms.insert(new Room(LiveRoom.randomId(12), "r", head, moderators, 10, false, null, false, Set.of(),
                false, now, now, 0)).block(WAIT);
    }

    @Test
    void handingTheRoomOverKeepsTheOldHeadAsModeratorAndTakesTheNewOneOffTheList() {
        Room room = newRoom("ada", Set.of("bob", "cy"));
        Room after = rooms.setHead(room.id(), "ada", "bob").block(WAIT);
        assertEquals("bob", after.headId());
        assertEquals(Set.of("ada", "cy"), after.moderators());
        assertEquals(Role.MODERATOR, after.roleOf("ada"));
        assertEquals(after, rooms.findById(room.id()).block(WAIT), "the answer is what is stored");
    }

    @Test
    void aHandOverFromAHeadWhoNoLongerLeadsChangesNothing() {
        Room room = newRoom("ada", Set.of());
        rooms.setHead(room.id(), "ada", "bob").block(WAIT);
        // A second handover that still thinks ada leads (two heads racing, or a stale live room).
        assertNull(rooms.setHead(room.id(), "ada", "cy").block(WAIT));
        Room stored = rooms.findById(room.id()).block(WAIT);
        assertEquals("bob", stored.headId());
        assertEquals(Set.of("ada"), stored.moderators());
    }

    @Test
    void eachWriteRaisesTheVersionAndStampsTheTime() {
        Room room = newRoom("ada", Set.of());
        assertEquals(0, room.version());
        Room a = rooms.addModerator(room.id(), "bob").block(WAIT);
        Room b = rooms.ban(room.id(), "eve").block(WAIT);
        Room c = rooms.setLocked(room.id(), true).block(WAIT);
        Room d = rooms.removeModerator(room.id(), "bob").block(WAIT);
        Room e = rooms.updateSettings(room.id(), Optional.of("renamed"), Optional.of(3), Optional.empty(),
                Optional.of(true), Optional.empty()).block(WAIT);
        assertEquals(java.util.List.of(1L, 2L, 3L, 4L, 5L),
                java.util.List.of(a.version(), b.version(), c.version(), d.version(), e.version()));
        assertEquals(Set.of("eve"), e.banned());
        assertEquals(Set.of(), e.moderators());
        assertTrue(e.locked() && e.lobby());
        assertEquals("renamed", e.name());
        assertEquals(3, e.maxParticipants());
        assertTrue(!e.updatedAt().isBefore(room.updatedAt()));
    }

    @Test
    void aClosedRoomTakesNoChangeButClosingAgain() {
        Room room = newRoom("ada", Set.of());
        Room closed = rooms.close(room.id()).block(WAIT);
        assertTrue(closed.closed());
        assertNull(rooms.ban(room.id(), "eve").block(WAIT));
        assertNull(rooms.setHead(room.id(), "ada", "bob").block(WAIT));
        assertNull(rooms.setLocked(room.id(), true).block(WAIT));
        assertNull(rooms.updateSettings(room.id(), Optional.of("x"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()).block(WAIT));
        assertEquals(closed.version(), rooms.findById(room.id()).block(WAIT).version());
        assertTrue(rooms.close(room.id()).block(WAIT).closed());
        assertNull(rooms.close("no-such-room").block(WAIT));
    }

    @Test
    void aRoomStoredBeforeVersionsReadsAsVersionZeroAndCountsOnFromThere() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = LiveRoom.randomId(12);
        org.bson.Document legacy = new Room(id, "old", "ada", Set.of(), 10, false, null, false, Set.of(), false, now,
                now, 0).toDocument();
        legacy.remove("version");
        reactor.core.publisher.Mono.from(f.store.database().getCollection("rooms").insertOne(legacy)).block(WAIT);
        assertEquals(0, rooms.findById(id).block(WAIT).version());
        assertEquals(1, rooms.setLocked(id, true).block(WAIT).version());
    }
}
