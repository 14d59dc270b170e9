package io.kezdesu.benchmarks.flood;

import java.util.Arrays;
import java.util.Locale;

/** Latencies of one probe kind, all kept (a flood lasts minutes at ten probes a second); thread-safe. */
final class Latencies {

    private long[] nanos = new long[1024];
    private int count;
    private int failed;
    private String firstFailure = "";
    /** When the current run of failures began (0: none), and the longest such run: how long the server was gone. */
    private long outageStart;
    private long longestOutage;

    synchronized void ok(long n) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = n;
        endOutage();
    }

    private void endOutage() {
        if (outageStart != 0) {
            longestOutage = Math.max(longestOutage, System.nanoTime() - outageStart);
            outageStart = 0;
        }
    }

    /** @param started when the failed probe began: the outage counts from there, not from its timeout */
    synchronized void failed(String why, long started) {
        if (outageStart == 0) {
            outageStart = started;
        }
        if (failed++ == 0) {
            firstFailure = why.replace(' ', '_');
        }
    }

    /** {@code <name>_ok=… <name>_failed=… <name>_p50_ms=… <name>_p99_ms=… <name>_max_ms=…} */
    synchronized String line(String name) {
        endOutage();
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        String s = String.format(Locale.ROOT, "%s_ok=%d %s_failed=%d %s_p50_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f",
                name, count, name, failed, name, percentileMs(sorted, 0.50), name, percentileMs(sorted, 0.99), name,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
        return failed == 0 ? s : String.format(Locale.ROOT, "%s %s_longest_outage_s=%.1f %s_first_failure=%s", s, name,
                longestOutage / 1e9, name, firstFailure);
    }

    private static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
