package io.kezdesu.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A server process seen through /proc: CPU ticks (utime+stime), resident memory and sockets held; zeros without a
 * pid. The load tools read the server they measure with it before and after their measured window.
 */
public record ServerSample(long cpuTicks, long rssKb, long sockets) {

    /** USER_HZ: 100 on Linux for every mainstream architecture. */
    public static final int TICKS_PER_SECOND = 100;

    public static ServerSample take(long pid) throws IOException {
        if (pid <= 0) {
            return new ServerSample(0, 0, 0);
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Fields after the command name (which may hold spaces) start at ") "; utime and stime are fields 14, 15.
        String[] f = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        long sockets;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            sockets = fds.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
        return new ServerSample(ticks, rss, sockets);
    }
}
