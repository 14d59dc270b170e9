package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.cli.Main;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process: SIGTERM drains, exits 0 within 10 s, and loses no acknowledged write. */
class SigtermTest {

    private static final Pattern READY = Pattern.compile("ready: http http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsCleanlyAndKeepsData() throws Exception {
        Process p = start();
        int port = awaitReady(p);
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + port)) {
            assertEquals(201, c.post("/api/register",
                    Map.of("email", "term@example.org", "name", "T", "password", "12345678")).status());
        }
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "exited within 10 s");
        assertEquals(0, p.exitValue());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 10);

        Process again = start();
        int port2 = awaitReady(again);
        try (TestDaemon.Client c = new TestDaemon.Client("http://127.0.0.1:" + port2)) {
            assertEquals(200, c.post("/api/login", Map.of("email", "term@example.org", "password", "12345678"))
                    .status(), "the registration written before SIGTERM is there");
        } finally {
            again.destroy();
            assertTrue(again.waitFor(10, TimeUnit.SECONDS));
        }
    }

    private Process start() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "signaling", "--data-dir", dataDir.toString(), "--http-ip", "127.0.0.1", "--http-port", "0"))
                .redirectErrorStream(true)
                .start();
    }

    /** Reads the process output until the startup line, then keeps draining it in the background. */
    private static int awaitReady(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        int found = Integer.parseInt(m.group(1));
                        Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                        drain.setDaemon(true);
                        drain.start();
                        return found;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("daemon exited before it was ready");
        });
        return port.get(60, TimeUnit.SECONDS);
    }
}
