package io.kezdesu.common.config;

import java.util.Objects;

/**
 * One configuration key: its name (the YAML key, the flag {@code --name} and the environment variable
 * {@code KEZDESU_NAME}), how its value is read, its default, and whether it is a secret that is never printed.
 *
 * @param defaultValue the default, or {@code null} when unset means "absent" (generated, embedded, disabled…)
 */
public record ConfigKey<T>(String name, Section section, ValueType<T> type, T defaultValue, boolean secret,
                           String description) {

    public enum Section { GENERAL, STORE, HTTP, ACCOUNTS, SIGNALING, PEERJS, RELAY }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("key name: " + name + " (expected: lower-case kebab-case)");
        }
    }

    /** The environment variable that sets this key: {@code http-port} → {@code KEZDESU_HTTP_PORT}. */
    public String environmentVariable() {
        return "KEZDESU_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    public String flag() {
        return "--" + name;
    }

    /**
     * The value as shown by {@code config check}: secrets are never shown; an empty list of secrets shows as unset,
     * as an unset single secret does, since there is nothing to redact.
     */
    public String display(T value) {
        if (value == null || secret && value instanceof java.util.Collection<?> list && list.isEmpty()) {
            return "<unset>";
        }
        return secret ? "<redacted>" : type.print(value);
    }
}
