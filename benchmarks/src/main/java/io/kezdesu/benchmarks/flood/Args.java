package io.kezdesu.benchmarks.flood;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs; a missing option without a default is a usage error (exit 2). */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            values.put(args[i], args[i + 1]);
        }
    }

    String get(String name, String fallback) {
        String v = values.getOrDefault(name, fallback);
        if (v == null) {
            System.err.println("missing " + name);
            System.exit(2);
        }
        return v;
    }

    int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }
}
