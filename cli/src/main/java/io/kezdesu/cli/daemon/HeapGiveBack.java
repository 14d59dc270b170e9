package io.kezdesu.cli.daemon;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
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
 *
 * <p>After each of those idle collections the C library's allocator is asked to give back the memory it keeps free
 * ({@code System.trim_native_heap}, glibc's {@code malloc_trim}): what the JIT compilers, the collector's remembered
 * sets and direct buffers freed while a load came and went. A minute after 10,000 PeerJS sessions went idle, a trim by
 * hand returned 31-34 MB without this and 14 MB with it (the rest had come back already).
 */
final class HeapGiveBack {

    private static final Logger LOG = LoggerFactory.getLogger(HeapGiveBack.class);
    static final int INTERVAL_MILLIS = 15_000;
    static final int MIN_FREE = 10;
    static final int MAX_FREE = 30;
    /** The cause G1 gives a collection it makes because {@code G1PeriodicGCInterval} passed without one. */
    private static final String IDLE_CAUSE = "G1 Periodic Collection";
    /** {@code jcmd System.trim_native_heap}, as an operation of the diagnostic command bean. */
    private static final String TRIM = "systemTrimNativeHeap";
    private static final AtomicInteger TRIMS = new AtomicInteger();
    /** The diagnostic command bean, found at the first idle collection; null until then. */
    private static volatile ObjectName trimmer;
    private static volatile boolean trimUnavailable;

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
        trimAfterIdleCollections();
        return set;
    }

    /** How many times the native heap was trimmed (for tests). */
    static int trims() {
        return TRIMS.get();
    }

    private static void trimAfterIdleCollections() {
        NotificationListener listener = (notification, handback) -> {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                return;
            }
            var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            if (IDLE_CAUSE.equals(info.getGcCause())) {
                trim(); // under load the allocator is in use: trimming then would only cost
            }
        };
        try {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(listener, null, null);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("native heap left as it is: {}", e.toString());
        }
    }

    /** Called on the JVM's notification thread, one idle collection at a time. */
    private static void trim() {
        if (trimUnavailable) {
            return;
        }
        try {
            // The platform MBean server only now, when idle: with it made at start the idle daemon measured 20-40 MB
            // larger in two runs (more than its spread of about 20 MB), and a daemon that never idles needs none.
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName dcmd = trimmer;
            if (dcmd == null) {
                dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
                boolean offered = Arrays.stream(server.getMBeanInfo(dcmd).getOperations())
                        .anyMatch(op -> op.getName().equals(TRIM));
                if (!offered) {
                    trimUnavailable = true; // a JVM without the command: its allocator keeps what it keeps
                    return;
                }
                trimmer = dcmd;
            }
            Object said = server.invoke(dcmd, TRIM, new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            TRIMS.incrementAndGet();
            LOG.debug("idle: {}", String.valueOf(said).strip());
        } catch (JMException | RuntimeException | LinkageError e) {
            trimUnavailable = true;
            LOG.debug("native heap left as it is: {}", e.toString());
        }
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
