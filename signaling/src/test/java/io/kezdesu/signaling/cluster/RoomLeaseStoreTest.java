package io.kezdesu.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

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
        a = new RoomLeaseStore(f.store.database(), nodeA, clock, TIMEOUT);
        b = new RoomLeaseStore(f.store.database(), nodeB, clock, TIMEOUT);
    }

    @AfterAll
    void stop() {
        f.close();
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
    void aLeaseNotRenewedForTheTimeoutGoesToTheNextTakerAndItsOldHolderLearnsItLostIt() {
        assertEquals(Optional.empty(), a.take("r2").block(WAIT));
        clock.advance(TIMEOUT.minusSeconds(1));
        assertTrue(b.take("r2").block(WAIT).isPresent(), "still A's");
        assertEquals(Set.of(), a.renew(Set.of("r2")).block(WAIT), "renewed");
        clock.advance(TIMEOUT.minusSeconds(1));
        assertTrue(b.take("r2").block(WAIT).isPresent(), "renewed 9 s ago: still A's");
        clock.advance(Duration.ofSeconds(2));
        assertEquals(Optional.empty(), b.take("r2").block(WAIT), "11 s without renewal: B takes it");
        assertEquals(Set.of("r2"), a.renew(Set.of("r2")).block(WAIT), "A is told it is B's now");
        assertEquals(Optional.of(new RoomLeases.Owner(nodeB.id(), "http://192.0.2.2:8080")), a.take("r2").block(WAIT));
    }

    @Test
    void onlyTheHolderReleasesAndALeaseLostByARaceIsTakenAgainOnRenewal() {
        assertEquals(Optional.empty(), a.take("r3").block(WAIT));
        b.release("r3");
        assertTrue(b.owner("r3").block(WAIT).isPresent(), "B cannot release A's lease");
        a.release("r3");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (b.owner("r3").block(WAIT).isPresent() && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // release is fire-and-forget: wait until the store has it
        }
        assertEquals(Optional.empty(), b.owner("r3").block(WAIT), "released");
        // The room is live at A again (a join raced the release): A's renewal takes the lease back.
        assertEquals(Set.of(), a.renew(Set.of("r3")).block(WAIT));
        assertEquals(nodeA.id(), a.all().block(WAIT).get("r3"));
        assertTrue(b.take("r3").block(WAIT).isPresent());
    }

    @Test
    void aReleaseAfterTheStoreClosedDoesNotThrowAtTheRetiringRoom(@TempDir Path dir) {
        Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, dir), DataDirectory.open(dir));
        RoomLeaseStore closing = new RoomLeaseStore(store.database(), nodeA, clock, TIMEOUT);
        store.close();
        assertDoesNotThrow(() -> closing.release("r6"));
    }

    @Test
    void aCleanStopGivesUpEveryLease() {
        assertEquals(Optional.empty(), b.take("r4").block(WAIT));
        assertEquals(Optional.empty(), b.take("r5").block(WAIT));
        b.releaseAll().block(WAIT);
        assertEquals(Optional.empty(), a.take("r4").block(WAIT));
        assertEquals(Optional.empty(), a.take("r5").block(WAIT));
    }
}
