package io.kezdesu.benchmarks.openloop;

/**
 * Durations in 10 µs buckets up to 1 s, then 1 ms buckets up to ~1000 s (an overloaded server under open load can
 * take seconds). Confined to the generator's one event-loop thread.
 */
final class Histogram {

    private static final long FINE_NANOS = 10_000;
    private static final int FINE = 100_000;
    private static final long COARSE_NANOS = 1_000_000;
    private static final int COARSE = 1_000_000;

    private final int[] buckets = new int[FINE + COARSE];
    private long count;
    private long max;

    void record(long nanos) {
        long v = Math.max(0, nanos);
        int b = v < FINE * FINE_NANOS ? (int) (v / FINE_NANOS)
                : FINE + (int) Math.min(COARSE - 1, (v - FINE * FINE_NANOS) / COARSE_NANOS);
        buckets[b]++;
        count++;
        max = Math.max(max, v);
    }

    long count() {
        return count;
    }

    double maxMs() {
        return max / 1e6;
    }

    /** The upper bound of the bucket holding the {@code p}-quantile, in ms (0 when empty). */
    double percentileMs(double p) {
        long target = Math.max(1, (long) Math.ceil(p * count));
        long seen = 0;
        for (int i = 0; i < buckets.length && count > 0; i++) {
            seen += buckets[i];
            if (seen >= target) {
                long upper = i < FINE ? (i + 1) * FINE_NANOS : FINE * FINE_NANOS + (i - FINE + 1) * COARSE_NANOS;
                return Math.min(upper, max) / 1e6;
            }
        }
        return 0;
    }
}
