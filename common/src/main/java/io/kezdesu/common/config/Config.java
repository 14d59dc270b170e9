package io.kezdesu.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The effective configuration: one typed value per key (defaults included) and where each came from. Immutable;
 * build it with {@link ConfigLoader} (or {@link #defaults()} plus {@link #with} in tests).
 */
public final class Config {

    /** Where a value came from, in increasing precedence. */
    public enum Origin { DEFAULT, FILE, ENVIRONMENT, FLAG, OVERRIDE }

    private final Map<ConfigKey<?>, Object> values;
    private final Map<ConfigKey<?>, Origin> origins;

    Config(Map<ConfigKey<?>, Object> values, Map<ConfigKey<?>, Origin> origins) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
    }

    public static Config defaults() {
        Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
        Map<ConfigKey<?>, Origin> origins = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            values.put(key, key.defaultValue());
            origins.put(key, Origin.DEFAULT);
        }
        return new Config(values, origins);
    }

    /** The value, or the default; may be {@code null} only for keys whose default is {@code null}. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key);
    }

    public <T> Optional<T> find(ConfigKey<T> key) {
        return Optional.ofNullable(get(key));
    }

    public Origin origin(ConfigKey<?> key) {
        return origins.getOrDefault(key, Origin.DEFAULT);
    }

    /** A copy with one value replaced (validated again as a whole by {@link ConfigLoader#validate}). */
    public <T> Config with(ConfigKey<T> key, T value) {
        Map<ConfigKey<?>, Object> v = new LinkedHashMap<>(values);
        Map<ConfigKey<?>, Origin> o = new LinkedHashMap<>(origins);
        v.put(key, value);
        o.put(key, Origin.OVERRIDE);
        Config next = new Config(v, o);
        ConfigLoader.validate(next);
        return next;
    }

    /** The configuration as {@code key: value  # origin} lines, secrets redacted; what {@code config check} prints. */
    public String render() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            out.append(key.name()).append(": ").append(display(key));
            Origin origin = origin(key);
            if (origin != Origin.DEFAULT) {
                out.append("  # from ").append(origin.name().toLowerCase(java.util.Locale.ROOT));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private <T> String display(ConfigKey<T> key) {
        return key.display(get(key));
    }
}
