package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLimitTest {

    @Test
    void readsTheSoftOpenFilesLimit(@TempDir Path dir) throws Exception {
        Path limits = dir.resolve("limits");
        Files.writeString(limits, """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max open files            20000                524288               files
                """);
        assertEquals(OptionalLong.of(20000), FileLimit.openFiles(limits));
        Files.writeString(limits, "Max open files            unlimited            unlimited            files\n");
        assertEquals(OptionalLong.of(Long.MAX_VALUE), FileLimit.openFiles(limits));
        assertTrue(FileLimit.openFiles(dir.resolve("missing")).isEmpty());
    }

    @Test
    void thisProcessHasOne() {
        assertTrue(FileLimit.openFiles(Path.of("/proc/self/limits")).orElse(1) > 0);
    }
}
