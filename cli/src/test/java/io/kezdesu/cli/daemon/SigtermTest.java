package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process: SIGTERM drains, exits 0 within 10 s, and loses no acknowledged write. */
class SigtermTest {


    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsCleanlyAndKeepsData() throws Exception {
        DaemonProcess d = DaemonProcess.start(dataDir);
        Process p = d.process;
        int port = d.port;
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + port)) {
            assertEquals(201, c.post("/api/register",
                    Map.of("email", "term@example.org", "name", "T", "password", "12345678")).status());
        }
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "exited within 10 s");
        assertEquals(0, p.exitValue());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10);

        DaemonProcess d2 = DaemonProcess.start(dataDir);
        Process again = d2.process;
        int port2 = d2.port;
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + port2)) {
            assertEquals(200, c.post("/api/login", Map.of("email", "term@example.org", "password", "12345678"))
                    .status(), "the registration written before SIGTERM is there");
        } finally {
            again.destroy();
            assertTrue(again.waitFor(10, TimeUnit.SECONDS));
        }
    }


}
