package io.kezdesu.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** ice4j stays behind its adapter: only io.kezdesu.relay.ice4j may import org.ice4j (main and test sources). */
class Ice4jBoundaryTest {

    @Test
    void onlyTheAdapterPackageImportsIce4j() throws IOException {
        List<Path> offenders;
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")),
                Files.walk(Path.of("src/test/java")))) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getParent().endsWith(Path.of("io", "kezdesu", "relay", "ice4j")))
                    .filter(Ice4jBoundaryTest::importsIce4j)
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders);
    }

    private static boolean importsIce4j(Path p) {
        try {
            return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("import org.ice4j")
                    || l.startsWith("import static org.ice4j"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
