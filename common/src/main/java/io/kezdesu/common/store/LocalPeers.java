package io.kezdesu.common.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Which local user holds the client end of a loopback TCP connection to us, from Linux's socket tables
 * ({@code /proc/net/tcp} and {@code tcp6}: the client's socket is the entry whose local port is the client's and
 * whose remote port is ours; its {@code uid} column names its owner). Used to keep other users' processes out of the
 * embedded store, which speaks MongoDB's protocol without authentication.
 */
final class LocalPeers {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private LocalPeers() {
    }

    /** This process's user, or empty where {@code /proc} does not say (then no check is possible). */
    static OptionalInt ownUid() {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    /** The owner of the socket connected from {@code clientPort} to {@code serverPort} on this host, if found. */
    static OptionalInt uidOf(int clientPort, int serverPort) {
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 7 && port(f[1]) == clientPort && port(f[2]) == serverPort) {
                    return OptionalInt.of(Integer.parseInt(f[7]));
                }
            }
        }
        return OptionalInt.empty();
    }

    private static int port(String hexAddressAndPort) {
        int colon = hexAddressAndPort.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(hexAddressAndPort.substring(colon + 1), 16);
    }
}
