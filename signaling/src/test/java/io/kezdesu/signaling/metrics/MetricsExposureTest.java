package io.kezdesu.signaling.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.protocol.SignalingError;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} on a real server: documented series from the first scrape, refused tokens counted. */
class MetricsExposureTest {

    private static double value(String scrape, String metric, String label, String value) {
        Matcher m = Pattern.compile("(?m)^" + metric + "\\{" + label + "=\"" + Pattern.quote(value)
                + "\"\\} ([0-9.eE+-]+)$").matcher(scrape);
        assertTrue(m.find(), metric + "{" + label + "=\"" + value + "\"} missing from:\n" + scrape);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void documentedLabelsAreThereAtZeroBeforeAnyEvent(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            String scrape = f.call("GET", "/metrics", null, null).text();
            for (String outcome : new String[] {"admitted", "lobby", "room-closed", "kicked", "already-joined",
                    "room-locked", "wrong-password", "room-full"}) {
                assertEquals(0, value(scrape, "kezdesu_joins_total", "outcome", outcome));
            }
            for (String kind : new String[] {"login", "login-throttled", "websocket", "peerjs", "api-token",
                    "admin-token"}) {
                assertEquals(0, value(scrape, "kezdesu_auth_failures_total", "kind", kind));
            }
            for (SignalingError code : SignalingError.values()) {
                assertEquals(0, value(scrape, "kezdesu_protocol_errors_total", "code", code.code()));
            }
        }
    }

    @Test
    void withMetricsAccessAdminOnlyTheAdminTokenReadsThem(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("metrics-access", "admin"))) {
            assertEquals(401, f.call("GET", "/metrics", null, null).status());
            assertEquals(401, f.call("GET", "/metrics", null, f.user("Ada").token()).status());
            SignalingFixture.Response ok = f.call("GET", "/metrics", null, f.secrets.adminToken());
            assertEquals(200, ok.status());
            assertTrue(ok.text().contains("kezdesu_joins_total"), ok.text());
        }
    }

    @Test
    void refusedBearerTokensCountByApi(@TempDir Path dir) {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of())) {
            assertEquals(401, f.call("GET", "/api/me", null, "not-a-token").status());
            assertEquals(401, f.call("GET", "/api/rooms", null, "still.not.one").status());
            assertEquals(401, f.call("GET", "/admin/rooms", null, "wrong-admin-token").status());
            // No token at all is not a failed attempt.
            assertEquals(401, f.call("GET", "/api/me", null, null).status());
            assertEquals(401, f.call("GET", "/admin/rooms", null, null).status());
            // A valid token is not counted.
            assertEquals(200, f.call("GET", "/api/me", null, f.user("Ada").token()).status());

            String scrape = f.call("GET", "/metrics", null, null).text();
            assertEquals(2, value(scrape, "kezdesu_auth_failures_total", "kind", "api-token"));
            assertEquals(1, value(scrape, "kezdesu_auth_failures_total", "kind", "admin-token"));
            assertEquals(0, value(scrape, "kezdesu_auth_failures_total", "kind", "login"));
        }
    }
}
