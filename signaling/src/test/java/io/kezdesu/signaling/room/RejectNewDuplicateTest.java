package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With {@code duplicate-join: reject-new} a second session of the same user is refused and the first stays. */
class RejectNewDuplicateTest {

    @Test
    void theSecondSessionIsRefused(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("duplicate-join", "reject-new"))) {
            TestUser head = f.user("Head");
            TestUser pat = f.user("Pat");
            String room = f.room(head, Map.of());
            WsClient h = f.join(head, room);
            WsClient first = f.join(pat, room);
            h.expect("peer-joined");
            WsClient second = f.ws(pat);
            second.send(Map.of("type", "join", "room", room));
            second.expectError("already-joined");
            first.assertAlive();
            h.assertAlive();
            assertFalse(h.hasPending(), "the head saw nothing leave or join");
            first.send(Map.of("type", "offer", "to", h.id(), "sdp", "still here"));
            h.expect("offer");
        }
    }
}
