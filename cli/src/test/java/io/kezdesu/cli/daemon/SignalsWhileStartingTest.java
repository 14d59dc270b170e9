package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal that comes while the daemon starts is the daemon's, not the JVM's: SIGTERM stops it in order once it has
 * started (exit 0, as for one after the start; it was the JVM's exit status 143, which also made the launcher's
 * class-data-sharing training fail when it stopped its trainer just as the trainer wrote daemon.json), and SIGHUP
 * does not end it. The signal is sent when the daemon prints that it generated its secrets, well before it is ready.
 */
class SignalsWhileStartingTest {

    private static final Pattern STARTING = Pattern.compile("generated JWT signing secret");

    /** What the daemon prints after the line the signal waits for. */
    private final BlockingQueue<String> later = new LinkedBlockingQueue<>();

    private Process starting(Path dataDir) throws Exception {
        List<String> command = new ArrayList<>(DaemonProcess.kezdesu("signaling", "--data-dir", dataDir.toString(),
                "--http-ip", "127.0.0.1", "--http-port", "0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        DaemonProcess.awaitLine(p, STARTING, later);
        return p;
    }

    private void awaitOutputs(Pattern... wanted) throws InterruptedException {
        List<Pattern> missing = new ArrayList<>(List.of(wanted));
        while (!missing.isEmpty()) {
            String line = later.poll(30, TimeUnit.SECONDS);
            assertNotNull(line, "kezdesu printed lines matching " + missing);
            missing.removeIf(p -> p.matcher(line).find());
        }
    }

    private String awaitOutput(Pattern wanted) throws InterruptedException {
        while (true) {
            String line = later.poll(30, TimeUnit.SECONDS);
            assertNotNull(line, "kezdesu printed a line matching " + wanted);
            if (wanted.matcher(line).find()) {
                return line;
            }
        }
    }

    private static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void aStopSignalWhileStartingStopsTheDaemonInOrder(@TempDir Path dir) throws Exception {
        Process p = starting(dir);
        try {
            signal(p, "TERM");
            awaitOutput(Pattern.compile(" ready: "));
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon stopped");
            assertEquals(0, p.exitValue(), "an orderly stop, not the JVM's 143");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aHangUpWhileStartingDoesNotEndTheDaemon(@TempDir Path dir) throws Exception {
        Process p = starting(dir);
        try {
            signal(p, "HUP");
            // Its answer to the signal and its ready line, in whichever order its threads print them.
            awaitOutputs(Pattern.compile("SIGHUP"), Pattern.compile(" ready: "));
            assertTrue(p.isAlive(), "a SIGHUP while starting did not end the daemon");
            signal(p, "TERM");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon stopped");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
