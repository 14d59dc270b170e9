package io.kezdesu.benchmarks.peerjs;

/** Latencies in 10 µs buckets up to 10 s; confined to the generator's one event-loop thread. */
final class Stats {

    private static final int BUCKET_NANOS = 10_000;
    private static final int BUCKETS = 1_000_000;

    private int[] buckets = new int[BUCKETS];
    private long count;
    private long max;
    long other;

    void record(long nanos) {
        int b = (int) Math.min(BUCKETS - 1, Math.max(0, nanos / BUCKET_NANOS));
        buckets[b]++;
        count++;
        max = Math.max(max, nanos);
    }

    void reset() {
        buckets = new int[BUCKETS];
        count = 0;
        max = 0;
    }

    Snapshot snapshot() {
        return new Snapshot(buckets.clone(), count, max);
    }

    record Snapshot(int[] buckets, long count, long max) {
        double percentileMs(double p) {
            long target = (long) Math.ceil(p * count);
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= target && seen > 0) {
                    return (i + 1) * (double) BUCKET_NANOS / 1e6;
                }
            }
            return 0;
        }

        double maxMs() {
            return max / 1e6;
        }
    }
}
