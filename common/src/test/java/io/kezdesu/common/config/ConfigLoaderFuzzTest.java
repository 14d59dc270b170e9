package io.kezdesu.common.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration loader on any YAML file and any flag values: a configuration, or a {@link ConfigException} that
 * says {@code key: value (expected: …)}; never a stack trace at start-up. {@code scripts/fuzz} runs it as a fuzzer.
 */
class ConfigLoaderFuzzTest {

    private static final List<ConfigKey<?>> KEYS = ConfigKeys.all();
    private static final Path FILE;

    static {
        try {
            // In memory where the machine has a tmpfs: the file is rewritten for every input, and a disk-backed
            // temporary directory made this target the slowest by far (~800 inputs/s).
            Path shm = Path.of("/dev/shm");
            FILE = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempFile(shm, "kezdesu-fuzz", ".yaml")
                    : Files.createTempFile("kezdesu-fuzz", ".yaml");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void loadsOrSaysWhatIsWrong(FuzzedDataProvider in) {
        // A flag for a key the loader knows (or an unknown name), with a fuzzed value; then the rest is the file.
        String name = in.consumeBoolean() ? KEYS.get(in.consumeInt(0, KEYS.size() - 1)).name()
                : in.consumeString(20);
        String value = in.consumeString(200);
        String yaml = in.consumeRemainingAsString();
        try {
            // Without the file checks: fuzzed paths must not make the test depend on this machine's files.
            assertNotNull(ConfigLoader.loadYamlWithoutFiles(yaml, Map.of(name, List.of(value))));
        } catch (ConfigException refused) {
            assertNotNull(refused.getMessage());
        }
    }

    /** The file itself, read as the daemon reads it (from disk, so the file-reading step is fuzzed too). */
    @FuzzTest(maxDuration = "10s")
    void yamlFileLoadsOrSaysWhatIsWrong(byte[] yaml) throws IOException {
        Files.write(FILE, yaml);
        try {
            assertNotNull(ConfigLoader.loadWithoutFiles(Optional.of(FILE), Map.of(), Map.of()));
        } catch (ConfigException refused) {
            assertNotNull(refused.getMessage());
        }
    }
}
