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

    /**
     * Run in the child JVM; with {@code trim <seconds>}, it then collects once (System.gc) and idles until G1's first
     * idle collection (or the seconds passed), printing each collection's cause and the trims so far.
     */
    public static void main(String[] args) throws InterruptedException {
        var vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
        System.out.println("set " + HeapGiveBack.apply());
        for (String flag : List.of("G1PeriodicGCInterval", "MinHeapFreeRatio", "MaxHeapFreeRatio")) {
            System.out.println(flag + "=" + vm.getVMOption(flag).getValue());
        }
        if (args.length > 0 && args[0].equals("trim")) {
            // Told of each collection after HeapGiveBack (listeners are called in the order they were added).
            java.util.concurrent.CountDownLatch idle = new java.util.concurrent.CountDownLatch(1);
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener((n, h) -> {
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) n.getUserData());
                    System.out.println("collection: " + info.getGcCause() + ", trimmed " + HeapGiveBack.trims());
                    if (info.getGcCause().equals("G1 Periodic Collection")) {
                        idle.countDown();
                    }
                }, null, null);
            }
            System.gc(); // a collection for another cause: no trim
            // Then nothing: G1's idle collection comes, unless periodic collections are off.
            System.out.println("idle collection " + idle.await(Long.parseLong(args[1]), TimeUnit.SECONDS));
        }
    }

    private static List<String> child(String... jvmFlags) throws Exception {
        return child(List.of(jvmFlags), List.of());
    }

    private static List<String> child(List<String> jvmFlags, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HeapGiveBackTest.class.getName()));
        command.addAll(args);
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

    /**
     * After a collection G1 makes because the process idled, the C library's allocator gives back what it keeps free;
     * after an explicit one (as after any collection under load), it is not asked.
     */
    @Test
    void anIdleCollectionTrimsTheNativeHeap() throws Exception {
        List<String> out = child(List.of("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=300"), List.of("trim", "30"));
        assertEquals(List.of("set [MinHeapFreeRatio=10, MaxHeapFreeRatio=30]", "G1PeriodicGCInterval=300",
                "MinHeapFreeRatio=10", "MaxHeapFreeRatio=30", "collection: System.gc(), trimmed 0"),
                out.subList(0, 5));
        assertTrue(out.contains("collection: G1 Periodic Collection, trimmed 1"), out.toString());
        assertTrue(out.contains("idle collection true"), out.toString());
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
