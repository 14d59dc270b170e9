package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The heap flags a daemon sets at start, each in a JVM of its own (a flag set here would stay set for every other
 * test): what it sets under G1's defaults, that it keeps the operator's own flags, and that it leaves other
 * collectors alone. Each child prints what {@link HeapGiveBack#apply} set and what the flags then are.
 */
class HeapGiveBackTest {

    /** Run in the child JVM. */
    public static void main(String[] args) {
        var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
        System.out.println("set " + HeapGiveBack.apply());
        for (String flag : List.of("G1PeriodicGCInterval", "MinHeapFreeRatio", "MaxHeapFreeRatio")) {
            System.out.println(flag + "=" + vm.getVMOption(flag).getValue());
        }
    }

    private static List<String> child(String... jvmFlags) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmFlags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapGiveBackTest.class.getName()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    @Test
    void underG1sDefaultsTheHeapShrinksWhenIdle() throws Exception {
        assertEquals(List.of("set [G1PeriodicGCInterval=15000, MinHeapFreeRatio=10, MaxHeapFreeRatio=30]",
                "G1PeriodicGCInterval=15000", "MinHeapFreeRatio=10", "MaxHeapFreeRatio=30"), child("-XX:+UseG1GC"));
    }

    @Test
    void whatTheOperatorSetStays() throws Exception {
        assertEquals(List.of("set []", "G1PeriodicGCInterval=0", "MinHeapFreeRatio=40", "MaxHeapFreeRatio=70"),
                child("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=0", "-XX:MaxHeapFreeRatio=70"));
    }

    @Test
    void anotherCollectorIsLeftAlone() throws Exception {
        assertEquals(List.of("set []", "G1PeriodicGCInterval=0", "MinHeapFreeRatio=40", "MaxHeapFreeRatio=70"),
                child("-XX:+UseSerialGC"));
    }
}
