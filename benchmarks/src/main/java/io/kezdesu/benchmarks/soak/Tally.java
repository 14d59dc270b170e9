package io.kezdesu.benchmarks.soak;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Rounds handed out to the worker threads, completed cycles, and failures by kind; one result line at the end. */
final class Tally {

    private final int rounds;
    private final AtomicInteger nextRound = new AtomicInteger();
    private final AtomicLong cycles = new AtomicLong();
    private final Map<String, Long> failures = new ConcurrentSkipListMap<>();
    private final long started = System.nanoTime();

    Tally(int rounds) {
        this.rounds = rounds;
    }

    /** The next round to run, or -1 when all have been handed out. */
    int nextRound() {
        int r = nextRound.getAndIncrement();
        return r < rounds ? r : -1;
    }

    void completed(int cyclesInRound) {
        cycles.addAndGet(cyclesInRound);
    }

    void failed(String kind) {
        failures.merge(kind, 1L, Long::sum);
    }

    long failures() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    String line(String what) {
        double seconds = (System.nanoTime() - started) / 1e9;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s=%d seconds=%.1f per_s=%.0f failures=%d",
                what, cycles.get(), seconds, cycles.get() / seconds, failures()));
        failures.forEach((k, v) -> out.append(" fail_").append(k).append('=').append(v));
        return out.toString();
    }
}
