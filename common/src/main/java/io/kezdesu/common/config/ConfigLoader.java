package io.kezdesu.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the configuration from a YAML file, the environment ({@code KEZDESU_*}) and command-line flags, in that
 * order of increasing precedence, then validates every value and the rules between keys. All problems are collected
 * and thrown together as one {@link ConfigException}, each as {@code key: value (expected: …)}.
 *
 * <p>In the file, nested maps are read as kebab-case keys: {@code tls: {cert: x}} is the same as {@code tls-cert: x}.
 */
public final class ConfigLoader {

    /** The environment variable that names the config file when {@code --config} is not given. */
    public static final String CONFIG_ENV = "KEZDESU_CONFIG";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
    private final Map<ConfigKey<?>, Config.Origin> origins = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<ConfigKey<?>> refused = new HashSet<>();

    private ConfigLoader() {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            values.put(key, key.defaultValue());
            origins.put(key, Config.Origin.DEFAULT);
        }
    }

    /**
     * @param file  the YAML file, if any
     * @param env   the process environment (only {@code KEZDESU_*} entries are read)
     * @param flags values from the command line by key name; repeated flags give several values
     */
    public static Config load(Optional<Path> file, Map<String, String> env, Map<String, List<String>> flags) {
        return load(file, env, flags, true);
    }

    /**
     * The same without checking the files keys name ({@code tls-cert}, {@code tls-key}, {@code data-dir}): for a
     * client such as the admin CLI, which reads the daemon's configuration only to find the daemon, possibly as a
     * user who may not read the daemon's private key.
     */
    public static Config loadWithoutFiles(Optional<Path> file, Map<String, String> env,
                                          Map<String, List<String>> flags) {
        return load(file, env, flags, false);
    }

    private static Config load(Optional<Path> file, Map<String, String> env, Map<String, List<String>> flags,
                               boolean files) {
        ConfigLoader loader = new ConfigLoader();
        file.ifPresent(loader::readFile);
        loader.readEnvironment(env);
        return loader.finish(flags, files);
    }

    private Config finish(Map<String, List<String>> flags, boolean files) {
        flags.forEach((name, raw) -> set(name, raw, Config.Origin.FLAG, "--" + name));
        Config config = new Config(values, origins);
        // The rules between keys run even when some value was refused, so that one run reports every problem;
        // a rule is skipped only when one of its keys was refused (its default would make the rule's report wrong).
        List<String> all = new ArrayList<>(problems);
        all.addAll(ConfigRules.check(config, refused, files));
        if (!all.isEmpty()) {
            throw new ConfigException(all);
        }
        return config;
    }

    /** Checks the rules between keys (and those about files a key names); throws when one is broken. */
    static void validate(Config c) {
        List<String> problems = ConfigRules.check(c, Set.of(), true);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private void readFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            problems.add("config: " + file + " (expected: an existing, readable YAML file)");
            return;
        } catch (java.nio.file.AccessDeniedException e) {
            problems.add("config: " + file + " (expected: a readable YAML file; permission denied)");
            return;
        } catch (IOException e) {
            problems.add("config: " + file + " (expected: a YAML mapping of keys to values; " + reason(e) + ")");
            return;
        }
        readYaml(text, file.toString());
    }

    private void readYaml(String text, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            problems.add("config: " + source + " (expected: a YAML mapping of keys to values; " + reason(e) + ")");
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            problems.add("config: " + source + " (expected: a YAML mapping of keys to values)");
            return;
        }
        readObject("", root);
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    /**
     * The configuration from YAML text and flags, as {@link #loadWithoutFiles} reads a file: for the fuzz test, which
     * feeds it millions of documents without a file system in between.
     */
    static Config loadYamlWithoutFiles(String yaml, Map<String, List<String>> flags) {
        ConfigLoader loader = new ConfigLoader();
        loader.readYaml(yaml, "config");
        return loader.finish(flags, false);
    }

    private void readObject(String prefix, JsonNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey().replace('_', '-');
            JsonNode v = e.getValue();
            if (v.isObject() && ConfigKeys.byName(name) == null) {
                readObject(name + "-", v);
            } else if (v.isNull()) {
                if (ConfigKeys.byName(name) == null) {
                    problems.add(name + ": <empty> (expected: a known configuration key; see docs/CONFIG.md)");
                }
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.isValueNode() ? item.asText() : item.toString()));
                set(name, items, Config.Origin.FILE, name);
            } else if (v.isValueNode()) {
                set(name, List.of(v.asText()), Config.Origin.FILE, name);
            } else {
                set(name, List.of(v.toString()), Config.Origin.FILE, name);
            }
        }
    }

    private void readEnvironment(Map<String, String> env) {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            String raw = env.get(key.environmentVariable());
            if (raw != null && !raw.isEmpty()) {
                set(key.name(), List.of(raw), Config.Origin.ENVIRONMENT, key.environmentVariable());
            }
        }
    }

    private void set(String name, List<String> raw, Config.Origin origin, String where) {
        ConfigKey<?> key = ConfigKeys.byName(name);
        if (key == null) {
            problems.add(where + ": unknown key (expected: a known configuration key; see docs/CONFIG.md)");
            return;
        }
        try {
            Object value;
            if (key.type().isList() && raw.size() != 1) {
                value = key.type().parseElements(raw);
            } else {
                value = key.type().parse(raw.get(raw.size() - 1));
            }
            values.put(key, value);
            origins.put(key, origin);
        } catch (IllegalArgumentException e) {
            String shown = key.secret() ? "<redacted>" : String.join(",", raw);
            String from = where.equals(name) ? "" : " [from " + where + "]";
            problems.add(name + ": " + shown + " (expected: " + e.getMessage() + ")" + from);
            refused.add(key);
        }
    }
}
