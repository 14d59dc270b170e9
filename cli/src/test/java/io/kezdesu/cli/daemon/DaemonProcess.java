package io.kezdesu.cli.daemon;

import io.kezdesu.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The daemon as a real child process (for signals and crashes), started from the test classpath. */
final class DaemonProcess {

    private static final Pattern READY = Pattern.compile("ready: https? https?://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern TURN_UDP = Pattern.compile("turn udp [^ ]*:(\\d+)");

    private static final Pattern RELAY_READY = Pattern.compile(" relay ready: ");
    private static final Pattern RELAY_ID = Pattern.compile("relay (\\S+) in the fleet");

    final Process process;
    final int port;
    /** The relay's UDP port ({@code serve} and {@code relay}), or -1. */
    final int turnPort;
    /** The relay's id in the fleet (with a store), or null. */
    final String relayId;
    /** What the daemon printed after its startup line (at most the latest {@value #KEPT_LINES} lines). */
    private final BlockingQueue<String> later;
    private static final int KEPT_LINES = 10_000;

    private DaemonProcess(Process process, String readyLine, BlockingQueue<String> later) {
        this.process = process;
        this.later = later;
        Matcher id = RELAY_ID.matcher(readyLine);
        this.relayId = id.find() ? id.group(1) : null;
        Matcher http = READY.matcher(readyLine);
        this.port = http.find() ? Integer.parseInt(http.group(1)) : -1;
        Matcher turn = TURN_UDP.matcher(readyLine);
        this.turnPort = turn.find() ? Integer.parseInt(turn.group(1)) : -1;
    }

    /**
     * Starts {@code kezdesu signaling} on an ephemeral loopback port, with {@code options} (e.g.
     * {@code --node-timeout 3s}), and waits for its startup line.
     */
    static DaemonProcess start(Path dataDir, String... options) throws Exception {
        return start("signaling", dataDir, options);
    }

    /** The same for {@code serve} (signaling and relay) or {@code signaling}. */
    static DaemonProcess start(String mode, Path dataDir, String... options) throws Exception {
        List<String> command = new ArrayList<>(kezdesu(mode, "--data-dir", dataDir.toString(), "--http-ip",
                "127.0.0.1", "--http-port", "0"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> later = new LinkedBlockingQueue<>();
        return new DaemonProcess(p, awaitLine(p, READY, later), later);
    }

    /** Starts {@code kezdesu relay} with {@code options} and waits for its startup line. */
    static DaemonProcess startRelay(Path dataDir, String... options) throws Exception {
        List<String> command = new ArrayList<>(kezdesu("relay", "--data-dir", dataDir.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> later = new LinkedBlockingQueue<>();
        return new DaemonProcess(p, awaitLine(p, RELAY_READY, later), later);
    }

    /** The command line that runs {@code kezdesu args…} from the test classpath. */
    static List<String> kezdesu(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The next line the daemon prints that matches {@code wanted} (lines before it are passed over); fails after
     * {@code seconds}.
     */
    String awaitOutput(Pattern wanted, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = later.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("kezdesu printed no line matching " + wanted + " within " + seconds + " s");
            }
            if (wanted.matcher(line).find()) {
                return line;
            }
        }
    }

    /** Reads the output until a line that matches {@code wanted}, then keeps draining it in the background. */
    static String awaitLine(Process p, Pattern wanted) throws Exception {
        return awaitLine(p, wanted, null);
    }

    /** As {@link #awaitLine(Process, Pattern)}, keeping what follows in {@code later} when it is not null. */
    static String awaitLine(Process p, Pattern wanted, BlockingQueue<String> later) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (last.size() == 40) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                    if (wanted.matcher(line).find()) {
                        Thread drain = new Thread(() -> out.lines().forEach(l -> {
                            if (later != null) {
                                if (later.size() >= KEPT_LINES) {
                                    later.poll();
                                }
                                later.offer(l);
                            }
                        }));
                        drain.setDaemon(true);
                        drain.start();
                        return line;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("kezdesu exited before it printed " + wanted + "; its last lines:\n"
                    + String.join("\n", last));
        }).get(60, TimeUnit.SECONDS);
    }
}
