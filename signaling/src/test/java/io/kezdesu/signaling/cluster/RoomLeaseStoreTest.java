package io.kezdesu.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.store.Store;
import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.room.RoomLeases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** Room leases between two nodes, through the real driver against the embedded store, on a clock the test moves. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoomLeaseStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SignalingFixture f;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T12:00:00Z"));
    private NodeRegistry nodeA;
    private NodeRegistry nodeB;
    private RoomLeaseStore a;
    private RoomLeaseStore b;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of());
        nodeA = new NodeRegistry(f.store.database(), () -> "http://192.0.2.1:8080", clock, TIMEOUT);
        nodeB = new NodeRegistry(f.store.database(), () -> "http://192.0.2.2:8080", clock, TIMEOUT);
        nodeA.register().block(WAIT);
        nodeB.register().block(WAIT);
        a = new RoomLeaseStore(f.store.database(), nodeA);
        b = new RoomLeaseStore(f.store.database(), nodeB);
    }

    @AfterAll
    void stop() {
        f.close();
    }

    /** Both nodes alive now (the tests share the clock, and some let a node's heartbeat lapse). */
    @BeforeEach
    void bothAlive() {
        nodeA.heartbeat().block(WAIT);
        nodeB.heartbeat().block(WAIT);
    }

    @Test
    void theFirstTakerHoldsTheRoomAndTheOtherLearnsWhereItIs() {
        assertEquals(Optional.empty(), a.take("r1").block(WAIT), "free: A takes it");
        assertEquals(Optional.empty(), a.take("r1").block(WAIT), "A's own: taken again");
        assertEquals(Optional.of(new RoomLeases.Owner(nodeA.id(), "http://192.0.2.1:8080")), b.take("r1").block(WAIT));
        assertEquals(Optional.of(new RoomLeases.Owner(nodeA.id(), "http://192.0.2.1:8080")), b.owner("r1").block(WAIT));
        assertEquals(Optional.empty(), a.owner("r1").block(WAIT), "A's own room is not elsewhere for A");
        assertEquals(nodeA.id(), a.all().block(WAIT).get("r1"));
    }

    @Test
    void aLeaseLapsesWithItsNodesHeartbeatAndItsOldHolderLearnsItLostIt() {
        assertEquals(Optional.empty(), a.take("r2").block(WAIT));
        clock.advance(TIMEOUT.minusSeconds(1));
        nodeB.heartbeat().block(WAIT);
        assertTrue(b.take("r2").block(WAIT).isPresent(), "A's heartbeat is 9 s old: still A's");
        nodeA.heartbeat().block(WAIT);
        assertEquals(Set.of(), a.renew(Set.of("r2")).block(WAIT), "A's heartbeat broke for 9 s: checked, held");
        clock.advance(TIMEOUT.minusSeconds(1));
        nodeB.heartbeat().block(WAIT);
        assertTrue(b.take("r2").block(WAIT).isPresent(), "A beat 9 s ago: still A's");
        assertEquals(Optional.of(new RoomLeases.Owner(nodeA.id(), "http://192.0.2.1:8080")), b.owner("r2").block(WAIT));
        clock.advance(Duration.ofSeconds(2));
        nodeB.heartbeat().block(WAIT);
        assertEquals(Optional.empty(), b.owner("r2").block(WAIT), "A is dead: nobody serves r2");
        assertEquals(Optional.empty(), b.take("r2").block(WAIT), "11 s without a heartbeat: B takes it");
        nodeA.heartbeat().block(WAIT);
        assertEquals(Set.of("r2"), a.renew(Set.of("r2")).block(WAIT), "A is back and told it is B's now");
        assertEquals(Optional.of(new RoomLeases.Owner(nodeB.id(), "http://192.0.2.2:8080")), a.take("r2").block(WAIT));
    }

    @Test
    void aTakeDecidedOnAHeartbeatThatLapsedFailsOnceTheHolderIsBack() {
        assertEquals(Optional.empty(), a.take("r7").block(WAIT));
        clock.advance(TIMEOUT.plusSeconds(1));
        nodeB.heartbeat().block(WAIT);
        assertEquals(Optional.empty(), nodeB.alive(nodeA.id()).block(WAIT), "B reads A dead");
        Object epoch = lease("r7").get("epoch");
        // A comes back before B's take over lands: its renewal after the gap moves its leases to a new epoch.
        nodeA.heartbeat().block(WAIT);
        assertEquals(Set.of(), a.renew(Set.of("r7")).block(WAIT));
        assertFalse(b.takeFrom("r7", nodeA.id(), epoch).block(WAIT), "B's compare-and-set on the old epoch fails");
        assertEquals(nodeA.id(), lease("r7").getString("node"));
        assertEquals(Optional.of(new RoomLeases.Owner(nodeA.id(), "http://192.0.2.1:8080")), b.take("r7").block(WAIT));
    }

    @Test
    void withAnUnbrokenHeartbeatEveryTenthRenewalChecksAndTakesBackALeaseRemovedByHand() {
        for (int i = 0; i < 2; i++) { // two beats close together: unbroken
            clock.advance(TIMEOUT.dividedBy(3));
            nodeA.heartbeat().block(WAIT);
        }
        assertTrue(nodeA.unbroken());
        assertEquals(Optional.empty(), a.take("r8").block(WAIT));
        Mono.from(f.store.database().getCollection("leases").deleteOne(new Document("_id", "r8"))).block(WAIT);
        int renewals = 0;
        while (!a.all().block(WAIT).containsKey("r8") && renewals < RoomLeaseStore.CHECK_EVERY) {
            clock.advance(TIMEOUT.dividedBy(3));
            nodeA.heartbeat().block(WAIT);
            assertTrue(nodeA.unbroken());
            assertEquals(Set.of(), a.renew(Set.of("r8")).block(WAIT));
            renewals++;
        }
        assertEquals(nodeA.id(), a.all().block(WAIT).get("r8"), "taken back within " + renewals + " renewals");
        clock.advance(TIMEOUT); // a gap: not unbroken
        nodeA.heartbeat().block(WAIT);
        assertFalse(nodeA.unbroken());
    }

    @Test
    void aReleaseStillInFlightWhenTheRoomIsTakenAgainLeavesTheNewLease() {
        assertEquals(Optional.empty(), a.take("r3").block(WAIT));
        Mono<Void> retiring = a.releasing("r3"); // the room retired; its release has not reached the store yet
        assertEquals(Optional.empty(), a.take("r3").block(WAIT), "a join made it live here again");
        retiring.block(WAIT);
        assertEquals(nodeA.id(), a.all().block(WAIT).get("r3"), "the late release did not delete the new lease");
        b.release("r3");
        assertTrue(b.owner("r3").block(WAIT).isPresent(), "B cannot release A's lease");
        a.releasing("r3").block(WAIT);
        assertEquals(Optional.empty(), b.owner("r3").block(WAIT), "released");
        assertEquals(Optional.empty(), b.take("r3").block(WAIT));
    }

    @Test
    void aReleaseAfterTheStoreClosedDoesNotThrowAtTheRetiringRoom(@TempDir Path dir) {
        Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, dir), DataDirectory.open(dir));
        RoomLeaseStore closing = new RoomLeaseStore(store.database(), nodeA);
        store.close();
        assertDoesNotThrow(() -> closing.release("r6"));
    }

    @Test
    void aCleanStopGivesUpEveryLeaseAndADeadRunsLeasesAreFreedAtOnce() {
        assertEquals(Optional.empty(), b.take("r4").block(WAIT));
        assertEquals(Optional.empty(), b.take("r5").block(WAIT));
        b.releaseAll().block(WAIT);
        assertEquals(Optional.empty(), a.take("r4").block(WAIT));
        assertEquals(Optional.empty(), a.take("r5").block(WAIT));
        b.expire(nodeA.id()).block(WAIT);
        assertEquals(Optional.empty(), b.take("r4").block(WAIT), "A's run superseded: its rooms are free");
    }

    private Document lease(String room) {
        return Mono.from(f.store.database().getCollection("leases").find(new Document("_id", room)).first())
                .block(WAIT);
    }
}
