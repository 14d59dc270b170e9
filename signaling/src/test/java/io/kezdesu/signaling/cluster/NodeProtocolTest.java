package io.kezdesu.signaling.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.common.testing.ManualClock;
import io.kezdesu.signaling.SignalingFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** Which live nodes speak another cluster protocol, through the real driver against the embedded store. */
class NodeProtocolTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void liveNodesOfAnotherProtocolAreStrangersAndEachNodeListsItsOwn(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            ManualClock clock = new ManualClock(Instant.parse("2026-12-07T18:00:00Z"));
            NodeRegistry here = new NodeRegistry(f.store.database(), () -> "http://192.0.2.1:8080", clock, TIMEOUT);
            NodeRegistry same = new NodeRegistry(f.store.database(), () -> "http://192.0.2.2:8080", clock, TIMEOUT);
            here.register().block(WAIT);
            same.register().block(WAIT);
            var nodes = f.store.database().getCollection("nodes");
            Date now = Date.from(clock.instant());
            Mono.from(nodes.insertOne(new Document("_id", "old").append("address", "http://192.0.2.3:8080")
                    .append("startedAt", now).append("heartbeatAt", now))).block(WAIT);
            Mono.from(nodes.insertOne(new Document("_id", "newer").append("address", "http://192.0.2.4:8080")
                    .append("startedAt", now).append("heartbeatAt", Date.from(clock.instant().minusSeconds(5)))
                    .append("protocol", NodeRegistry.PROTOCOL + 1))).block(WAIT);

            String old = "node old (http://192.0.2.3:8080) runs another version of kezdesu (cluster protocol 1, from "
                    + "before 2026-12-07; this one: 2)";
            assertEquals(List.of(old, "node newer (http://192.0.2.4:8080) runs another version of kezdesu (cluster "
                            + "protocol 3; this one: 2)"),
                    here.strangers().block(WAIT).stream().sorted(java.util.Comparator.reverseOrder()).toList());
            Map<Object, Object> listed = new java.util.HashMap<>();
            here.describe().block(WAIT).forEach(m -> listed.put(m.get("id"), m.get("protocol")));
            listed.keySet().retainAll(java.util.Set.of(here.id(), same.id(), "old", "newer")); // not the fixture's
            assertEquals(Map.of(here.id(), 2, same.id(), 2, "old", 1, "newer", 3), listed);

            // While running, each heartbeat's read of the others warns of each stranger, once; not of its own kind.
            assertEquals(java.util.Set.of(), here.warnedOf());
            here.peerAddresses().block(WAIT);
            assertEquals(java.util.Set.of("old", "newer"), here.warnedOf());
            here.peerAddresses().block(WAIT);
            assertEquals(java.util.Set.of("old", "newer"), here.warnedOf(), "once each");

            // Dead nodes are no one's concern: the one that stopped beating 5 s before the others goes first.
            clock.advance(TIMEOUT.minusSeconds(3));
            assertEquals(List.of(old), here.strangers().block(WAIT));
            clock.advance(Duration.ofSeconds(4));
            assertEquals(List.of(), here.strangers().block(WAIT));
        }
    }
}
