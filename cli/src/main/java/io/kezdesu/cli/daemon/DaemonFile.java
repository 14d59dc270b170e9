package io.kezdesu.cli.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.signaling.SignalingServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <data-dir>/daemon.json}: where the running daemon's HTTP API answers, so that {@code kezdesu user …} finds
 * it without flags (also when {@code http-port} was 0). Removed on shutdown.
 */
public final class DaemonFile {

    public static final String NAME = "daemon.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    private DaemonFile(Path path) {
        this.path = path;
    }

    static DaemonFile write(DataDirectory dir, SignalingServer server) {
        Path path = dir.resolve(NAME);
        InetSocketAddress a = server.address();
        InetAddress host = a.getAddress();
        String h;
        if (host.isAnyLocalAddress()) {
            h = host instanceof java.net.Inet6Address ? "[::1]" : "127.0.0.1";
        } else {
            h = host instanceof java.net.Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress();
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("url", (server.isTls() ? "https://" : "http://") + h + ":" + a.getPort());
        content.put("pid", ProcessHandle.current().pid());
        try {
            DataDirectory.writeOwnerOnly(path, JSON.writeValueAsString(content) + "\n", true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
        return new DaemonFile(path);
    }

    /**
     * The URL recorded by a running daemon in this data directory.
     *
     * @throws java.nio.file.AccessDeniedException when the file (or the 0700 directory) may not be read: said as
     *     such, not as "no daemon", since the daemon may well be running as another user
     */
    public static Optional<String> readUrl(Path dataDir) throws java.nio.file.AccessDeniedException {
        Path path = dataDir.resolve(NAME);
        try {
            JsonNode node = JSON.readTree(Files.readAllBytes(path));
            return Optional.ofNullable(node == null ? null : node.path("url").textValue());
        } catch (java.nio.file.AccessDeniedException e) {
            throw e;
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // The next start overwrites it; a stale file only points the CLI at a dead port.
        }
    }
}
