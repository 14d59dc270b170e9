package io.kezdesu.cli.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon gives memory back once a load is over. G1, the JVM's default collector, grows the heap to keep its pauses
 * short while thousands of clients connect, and with its default settings keeps what it grew: 10,000 idle PeerJS
 * sessions left the daemon 1.1 GB larger although their live objects took 70 MB. So at start the daemon asks G1 for
 * a concurrent collection whenever {@value #INTERVAL_MILLIS} ms pass without one (which happens only when the
 * daemon is idle or nearly so) and to shrink the heap after a collection until at most {@value #MAX_FREE} % of it is
 * free. G1 looks every interval, so the heap comes back one to two intervals after the last collection (at 30 s it
 * was sometimes still 3.5 GB 65 s after 18,000 PeerJS sessions went idle). These flags are "manageable": set here at
 * run time, they need no launcher, so a plain {@code java -jar kezdesu.jar serve} and the systemd unit get them too.
 * A flag the operator set on the command line ({@code -XX:G1PeriodicGCInterval=0} turns this off) is left as it is;
 * another collector is left alone.
 */
final class HeapGiveBack {

    private static final Logger LOG = LoggerFactory.getLogger(HeapGiveBack.class);
    static final int INTERVAL_MILLIS = 15_000;
    static final int MIN_FREE = 10;
    static final int MAX_FREE = 30;

    private HeapGiveBack() {
    }

    /** Sets the flags the operator left at their defaults; returns those it set, as {@code name=value}. */
    static List<String> apply() {
        List<String> set = new ArrayList<>();
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null || !"true".equals(vm.getVMOption("UseG1GC").getValue())) {
                return set;
            }
            setIfDefault(vm, "G1PeriodicGCInterval", String.valueOf(INTERVAL_MILLIS), set);
            // Both ratios or neither: the minimum must stay at or below the maximum, so it goes first.
            if (isDefault(vm, "MinHeapFreeRatio") && isDefault(vm, "MaxHeapFreeRatio")) {
                setIfDefault(vm, "MinHeapFreeRatio", String.valueOf(MIN_FREE), set);
                setIfDefault(vm, "MaxHeapFreeRatio", String.valueOf(MAX_FREE), set);
            }
        } catch (RuntimeException | LinkageError e) {
            // A JVM without these flags or without jdk.management: it keeps its own heap policy.
            LOG.debug("heap settings left as they are: {}", e.toString());
        }
        if (!set.isEmpty()) {
            LOG.debug("heap gives memory back when idle: {}", String.join(" ", set));
        }
        return set;
    }

    private static boolean isDefault(HotSpotDiagnosticMXBean vm, String flag) {
        return vm.getVMOption(flag).getOrigin() == VMOption.Origin.DEFAULT;
    }

    private static void setIfDefault(HotSpotDiagnosticMXBean vm, String flag, String value, List<String> set) {
        if (isDefault(vm, flag)) {
            vm.setVMOption(flag, value);
            set.add(flag + "=" + value);
        }
    }
}
