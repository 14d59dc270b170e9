package io.kezdesu.signaling.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay admin API's refusals: no admin, an unknown relay, a drain limit that is not a duration. */
class AdminRelaysApiTest {

    private static final String ADMIN = "the admin token of the relay api test";

    @Test
    void badRequestsAreRefusedSayingWhy(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("admin-token", ADMIN))) {
            assertEquals(401, f.call("GET", "/admin/relays", null, null).status());
            assertEquals(401, f.call("POST", "/admin/relays/x/drain", null, "not the admin token").status());
            SignalingFixture.Response unknown = f.call("POST", "/admin/relays/nobody/drain", null, ADMIN);
            assertEquals(404, unknown.status());
            assertTrue(unknown.json().path("message").asText().startsWith("no live relay nobody"), unknown.toString());
            SignalingFixture.Response badTimeout = f.call("POST", "/admin/relays/nobody/drain?timeout=soon", null,
                    ADMIN);
            assertEquals(400, badTimeout.status());
            assertTrue(badTimeout.json().path("message").asText().startsWith("timeout: a duration"),
                    badTimeout.toString());
            assertEquals(200, f.call("GET", "/admin/relays", null, ADMIN).status());
        }
    }
}
