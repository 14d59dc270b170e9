package io.kezdesu.signaling.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.signaling.SignalingFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cross-site WebSocket hijacking: another site's page cannot open /ws with its visitor's login. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OriginCheckTest {

    private SignalingFixture f;

    @BeforeAll
    void start(@TempDir Path dir) {
        f = SignalingFixture.start(dir, Map.of("allowed-origins", "https://app.example.org"));
    }

    @AfterAll
    void stop() {
        f.close();
    }

    /** The status line of the answer to an upgrade of /ws with a valid login and this Origin ("-": none). */
    private String upgrade(String origin) throws IOException {
        return f.upgradeStatusLine(origin.equals("-") ? "" : "Origin: " + origin + "\r\n");
    }

    @ParameterizedTest
    @CsvSource({
        "http://SELF, 101",                 // the page the server itself served
        "https://SELF, 101",                // the same, through a TLS-terminating proxy
        "https://app.example.org, 101",     // allowed-origins
        "-, 101",                           // no browser: no one else's cookie to abuse
        "https://evil.example, 403",
        "http://127.0.0.1.evil.example, 403",
        "null, 403"})
    void onlyThePagesOwnOriginAndTheAllowedOnesMayOpenTheSocket(String origin, int status) throws IOException {
        assertEquals("HTTP/1.1 " + status, upgrade(origin).substring(0, 12), origin);
    }
}
