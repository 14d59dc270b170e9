package io.kezdesu.cli;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKey;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Makes every configuration key a flag ({@code --<key>}) of a command, generated from {@link ConfigKeys} so that no
 * key can be forgotten, and turns a parse result into the effective {@link Config}.
 */
final class ConfigOptions {

    static final String CONFIG = "--config";

    private ConfigOptions() {
    }

    static void addTo(CommandSpec spec) {
        spec.addOption(OptionSpec.builder(CONFIG)
                .paramLabel("<file>")
                .type(Path.class)
                .description("YAML configuration file (default: $" + ConfigLoader.CONFIG_ENV + ")")
                .build());
        for (ConfigKey<?> key : ConfigKeys.all()) {
            OptionSpec.Builder b = OptionSpec.builder(key.flag())
                    .paramLabel("<" + key.name() + ">")
                    .description(key.description() + " [env " + key.environmentVariable() + "]"
                            + (key.defaultValue() == null || key.secret() ? ""
                            : " (default: " + show(key) + ")"))
                    .hidden(false);
            if (key.type().isList()) {
                b.type(List.class).auxiliaryTypes(String.class).arity("1");
            } else if (key.type().isBoolean()) {
                // coturn's way: a bare --flag is true; --flag=false, --flag false and --flag true also work.
                b.type(String.class).arity("0..1").fallbackValue("true");
            } else {
                b.type(String.class).arity("1");
            }
            spec.addOption(b.build());
        }
    }

    private static <T> String show(ConfigKey<T> key) {
        return key.type().print(key.defaultValue());
    }

    /** The effective configuration: flags over environment over file over defaults. */
    static Config load(ParseResult parsed, Map<String, String> env) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            CommandLine.Model.OptionSpec matched = parsed.matchedOption(key.flag());
            if (matched == null) {
                continue;
            }
            Object value = matched.getValue();
            List<String> raw = new ArrayList<>();
            if (value instanceof List<?> list) {
                list.forEach(v -> raw.add(String.valueOf(v)));
            } else {
                raw.add(String.valueOf(value));
            }
            flags.put(key.name(), raw);
        }
        Optional<Path> file = Optional.ofNullable(parsed.matchedOptionValue(CONFIG, (Path) null))
                .or(() -> Optional.ofNullable(env.get(ConfigLoader.CONFIG_ENV)).filter(s -> !s.isBlank())
                        .map(Path::of));
        return ConfigLoader.load(file, env, flags);
    }
}
