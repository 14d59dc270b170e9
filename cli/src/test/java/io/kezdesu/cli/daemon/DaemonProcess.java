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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The daemon as a real child process (for signals and crashes), started from the test classpath. */
final class DaemonProcess {

    private static final Pattern READY = Pattern.compile("ready: http http://127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final int port;

    private DaemonProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code kezdesu signaling} on an ephemeral loopback port, with {@code options} (e.g.
     * {@code --conference-heartbeat 1s}), and waits for its startup line.
     */
    static DaemonProcess start(Path dataDir, String... options) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "signaling", "--data-dir", dataDir.toString(), "--http-ip", "127.0.0.1",
                "--http-port", "0"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new DaemonProcess(p, awaitReady(p));
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** Reads the output until the startup line, then keeps draining it in the background. */
    private static int awaitReady(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                        drain.setDaemon(true);
                        drain.start();
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("daemon exited before it was ready");
        }).get(60, TimeUnit.SECONDS);
    }
}
