package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** coturn's {@code turnutils_stunclient} learns its reflexive address from our relay's Binding response. */
class CoturnStunClientTest {

    private static final Path STUNCLIENT = Path.of("/usr/bin/turnutils_stunclient");

    @Test
    void stunclientGetsItsReflexiveAddress() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(STUNCLIENT),
                "coturn's test clients are installed by ./run-tests (scripts/install-test-deps)");
        try (RelayServer server = RelayServer.start(TestRelays.relayConfig(c -> c))) {
            int port = server.udpAddresses().get(0).getPort();
            Process p = new ProcessBuilder(STUNCLIENT.toString(), "-p", String.valueOf(port), "127.0.0.1")
                    .redirectErrorStream(true).start();
            boolean finished = p.waitFor(30, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(finished, () -> "stunclient did not finish:\n" + out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("UDP reflexive addr: 127.0.0.1:"), out);
        }
    }
}
