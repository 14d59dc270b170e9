package io.kezdesu.benchmarks.flood;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts by name (close codes, error codes, failure causes), printed as {@code {a:1,b:2}}; thread-safe. */
final class Tally {

    private static final int MAX_NAMES = 40;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String name) {
        // A name from the server (an error code) could be anything: a flood of distinct ones is lumped together.
        String key = counts.containsKey(name) || counts.size() < MAX_NAMES ? name : "other";
        counts.computeIfAbsent(key.replace(' ', '_'), k -> new LongAdder()).increment();
    }

    long get(String name) {
        LongAdder n = counts.get(name);
        return n == null ? 0 : n.sum();
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        new TreeMap<>(counts).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append(':')
                .append(v.sum()));
        return b.append('}').toString();
    }

    /** A failure's cause as a short name: the exception's simple class and the first words of its message. */
    static String cause(Throwable t) {
        while (t.getCause() != null && t.getMessage() != null && t.getMessage().contains(t.getCause().toString())) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "" : t.getMessage().replaceAll("[/0-9.:]+", "").strip();
        int cut = m.indexOf(' ', Math.min(m.length(), 24));
        return t.getClass().getSimpleName() + (m.isEmpty() ? "" : "(" + (cut < 0 ? m : m.substring(0, cut)) + ")");
    }
}
