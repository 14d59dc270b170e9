package io.kezdesu.cli.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every WebSocket session, TCP TURN client and relay allocation holds a file descriptor. The JVM raises its soft
 * limit to the hard limit at start-up on Linux ({@code -XX:+MaxFDLimit}, on by default); this logs what that gives
 * and warns when it caps the daemon low. Raise the hard limit with systemd's {@code LimitNOFILE} (see docs/DEPLOY.md).
 */
final class FileLimit {

    private static final Logger LOG = LoggerFactory.getLogger(FileLimit.class);
    static final long WARN_BELOW = 65_536;

    private FileLimit() {
    }

    static void check() {
        OptionalLong limit = openFiles(Path.of("/proc/self/limits"));
        if (limit.isEmpty()) {
            return;
        }
        if (limit.getAsLong() < WARN_BELOW) {
            LOG.warn("max open files is {}: at most about that many sessions and allocations; raise the hard limit "
                    + "(systemd LimitNOFILE, ulimit -Hn) for more", limit.getAsLong());
        } else {
            LOG.info("max open files {}", limit.getAsLong());
        }
    }

    /** The soft "Max open files" limit from a /proc/<pid>/limits file. */
    static OptionalLong openFiles(Path limits) {
        try {
            for (String line : Files.readAllLines(limits)) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? OptionalLong.of(Long.MAX_VALUE)
                            : OptionalLong.of(Long.parseLong(f[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: nothing to report.
        }
        return OptionalLong.empty();
    }
}
