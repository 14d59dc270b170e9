package io.kezdesu.benchmarks.soak;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs; an unknown or missing value is a usage error (exit 2). */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 == argv.length) {
                usage("unexpected argument " + argv[i]);
            }
            values.put(argv[i].substring(2), argv[++i]);
        }
    }

    String string(String name, String fallback) {
        String v = values.getOrDefault(name, fallback);
        if (v == null) {
            usage("--" + name + " is required");
        }
        return v;
    }

    int integer(String name, int fallback) {
        try {
            return Integer.parseInt(string(name, String.valueOf(fallback)));
        } catch (NumberFormatException e) {
            usage("--" + name + ": " + values.get(name) + " (expected: an integer)");
            return fallback;
        }
    }

    private static void usage(String message) {
        System.err.println(message);
        System.exit(2);
    }
}
