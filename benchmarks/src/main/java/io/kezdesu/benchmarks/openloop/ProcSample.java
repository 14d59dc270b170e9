package io.kezdesu.benchmarks.openloop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A server process seen through /proc: CPU ticks (utime+stime) and resident memory. The same reading as
 * peerjs.ServerSample (package-private there), without the socket count.
 */
record ProcSample(long cpuTicks, long rssKb) {

    /** USER_HZ: 100 on Linux for every mainstream architecture. */
    static final int TICKS_PER_SECOND = 100;

    static ProcSample take(long pid) throws IOException {
        if (pid <= 0) {
            return new ProcSample(0, 0);
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
        return new ProcSample(ticks, rss);
    }
}
