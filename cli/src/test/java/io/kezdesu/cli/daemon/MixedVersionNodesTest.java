package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node does not start beside a live node of an earlier version (one whose entry carries no cluster protocol, as
 * before leases followed the heartbeat): the two would misread each other's room leases. One that was just stopped
 * for the upgrade is waited for; the protocol each node speaks is listed.
 */
class MixedVersionNodesTest {

    @TempDir
    Path storeDir;
    @TempDir
    Path dir;

    @Test
    void aNodeRefusesToStartBesideALiveNodeOfAnotherVersionAndWaitsForOneJustStopped() throws Exception {
        StoreProcess store = StoreProcess.start(storeDir);
        DaemonProcess node = null;
        try {
            // An old node that keeps beating (its clock a little ahead keeps it alive throughout).
            store.put("nodes", oldNode(Instant.now().plusSeconds(3600)));
            Throwable refused = assertThrows(ExecutionException.class, () -> DaemonProcess.start(
                    "signaling", dir, "--mongo-uri", store.uri(), "--node-timeout", "1s")).getCause();
            assertTrue(refused.getMessage().contains("node old-one (http://192.0.2.7:8080) runs another version of "
                    + "kezdesu (cluster protocol 1, from before 2026-12-07; this one: 2)"), refused.getMessage());
            assertTrue(refused.getMessage().contains("stop every node, then start them all on one version"),
                    refused.getMessage());
            assertEquals(List.of("old-one"), ids(store), "the refused node left no entry behind");

            // Stopped just now (its last heartbeat is the one written here, still alive when the new node looks, a
            // JVM start later): the new node waits node-timeout for it to go silent, and starts.
            store.put("nodes", oldNode(Instant.now()));
            node = DaemonProcess.start("signaling", dir, "--mongo-uri", store.uri(), "--node-timeout", "5s");
            String admin = Secrets.resolve(Config.defaults(), DataDirectory.open(dir)).adminToken();
            try (TestDaemon.Client c = new TestDaemon.Client(node.base())) {
                Map<String, Integer> protocols = new HashMap<>();
                for (JsonNode n : c.get("/admin/nodes", admin).json().path("nodes")) {
                    protocols.put(n.path("state").asText(), n.path("protocol").asInt());
                }
                assertEquals(2, protocols.get("this"), protocols.toString());
            }
        } finally {
            store.stopAfter(java.util.Arrays.asList(node));
        }
    }

    private static Document oldNode(Instant heartbeat) {
        return new Document("_id", "old-one").append("address", "http://192.0.2.7:8080")
                .append("startedAt", Date.from(Instant.now().minusSeconds(60))).append("heartbeatAt",
                        Date.from(heartbeat));
    }

    private static List<String> ids(StoreProcess store) {
        return store.find("nodes").stream().map(d -> d.getString("_id")).toList();
    }
}
