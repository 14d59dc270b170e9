package io.kezdesu.benchmarks.relay;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.RelayServer;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Heap (and direct memory) per TURN allocation of an in-process kezdesu relay: loopback only, relay ports
 * 20000–60000, loopback peers allowed, quotas off. The clients run in a child JVM ({@link AllocationLoad}
 * {@code --hold N}), so the heap measured here is the relay's alone: used heap after repeated full GCs before the
 * allocations and while they are held, divided by N. A warm-up of allocate/delete cycles runs first so classes,
 * nonce caches and pools that the first allocations would initialise are not charged to them. After the child
 * deletes its allocations the heap is measured again (what remains is retained by deleted allocations). The
 * child spreads its sockets over many loopback source addresses (see {@link AllocationLoad}'s
 * {@code --source-ips}): the relay answers at most 10 challenges per second per source IP after a burst of 20.
 * The warm-up cycles through the same N/4 addresses first (about 600 cycles/s for 2 s, one address each), so their
 * rate-limiter buckets, the only per-address state (nonces are stateless), are mostly in the baseline already.
 *
 * <p>Usage: {@code java -Xmx1g -XX:+UseSerialGC -cp ... io.kezdesu.benchmarks.relay.AllocationHeap [N]
 * [concurrency]}. Each allocation holds one relay socket here and one client socket in the child: keep
 * {@code ulimit -n} above N plus a margin.
 */
public final class AllocationHeap {

    private static final String SECRET = "heap-bench-secret-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Config c = Config.defaults()
                .with(ConfigKeys.LISTENING_IP, List.of(InetAddress.getLoopbackAddress()))
                .with(ConfigKeys.RELAY_IP, List.of(InetAddress.getLoopbackAddress()))
                .with(ConfigKeys.LISTENING_PORT, 0)
                .with(ConfigKeys.TLS_LISTENING_PORT, 0)
                .with(ConfigKeys.MIN_PORT, 20000)
                .with(ConfigKeys.MAX_PORT, 60000)
                .with(ConfigKeys.ALLOW_LOOPBACK_PEERS, true)
                .with(ConfigKeys.USER_QUOTA, 0)
                .with(ConfigKeys.ROOM_QUOTA, 0)
                .with(ConfigKeys.TOTAL_QUOTA, 0)
                .with(ConfigKeys.DEFAULT_ALLOCATE_LIFETIME, Duration.ofMinutes(10));
        Secrets secrets = new Secrets("j".repeat(32), List.of(SECRET), "heap-bench-nonce-secret-0123456",
                "heap-bench-admin-token-01234");
        try (RelayServer relay = RelayServer.start(RelayConfig.from(c, secrets, Optional.empty(), Optional.empty()))) {
            InetSocketAddress udp = relay.udpAddresses().get(0);
            String target = udp.getAddress().getHostAddress() + ":" + udp.getPort();
            String sourceIps = Integer.toString(Math.max(1, n / 4));

            // Warm-up: the same cycle path (allocate + delete) a few thousand times.
            String warm = runChild(List.of("--server", target, "--secret", SECRET, "--concurrency", "16",
                    "--warmup", "0", "--seconds", "2", "--source-ips", sourceIps), null);
            System.err.println("warm-up: " + warm.strip());

            long before = usedHeapAfterGc();
            long directBefore = direct();
            long nettyBefore = nettyDirect();
            ProcessBuilder pb = new ProcessBuilder(javaCommand(List.of("--server", target, "--secret", SECRET,
                    "--concurrency", Integer.toString(concurrency), "--hold", Integer.toString(n),
                    "--source-ips", sourceIps)));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process child = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String heldLine = out.readLine();
            if (heldLine == null) {
                throw new IllegalStateException("client child exited: " + child.waitFor());
            }
            int held = Integer.parseInt(heldLine.replaceAll("^held=(\\d+).*", "$1"));
            int count = relay.allocationCount();
            long during = usedHeapAfterGc();
            long directDuring = direct();
            long nettyDuring = nettyDirect();
            long fds = openFds();
            try (OutputStream release = child.getOutputStream()) {
                release.write('\n');
            }
            String releasedLine = out.readLine();
            child.waitFor();
            Thread.sleep(500);
            int countAfter = relay.allocationCount();
            long after = usedHeapAfterGc();
            long fdsAfter = openFds();
            System.out.println(String.format(Locale.ROOT,
                    "allocations=%d relay_allocations=%d heap_before_kb=%d heap_held_kb=%d heap_bytes_per_alloc=%.0f"
                            + " direct_bytes_per_alloc=%.0f netty_direct_bytes_per_alloc=%.0f relay_fds_held=%d"
                            + " relay_allocations_after_delete=%d heap_after_delete_kb=%d"
                            + " retained_bytes_per_deleted_alloc=%.0f relay_fds_after_delete=%d client=[%s] %s",
                    held, count, before / 1024, during / 1024, (during - before) / (double) Math.max(1, count),
                    (directDuring - directBefore) / (double) Math.max(1, count),
                    (nettyDuring - nettyBefore) / (double) Math.max(1, count), fds, countAfter, after / 1024,
                    (after - before) / (double) Math.max(1, count), fdsAfter, heldLine, releasedLine));
        }
    }

    private static String runChild(List<String> args, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(javaCommand(args));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static List<String> javaCommand(List<String> args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), AllocationLoad.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            System.gc();
            Thread.sleep(50);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 3 && Math.abs(last - used) < 4096) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** JDK direct buffers plus Netty's own direct-memory counter when it keeps one (-1 counts as 0). */
    private static long direct() {
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                jdk = pool.getMemoryUsed();
            }
        }
        return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    private static long nettyDirect() {
        return ((ByteBufAllocatorMetricProvider) PooledByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private static long openFds() throws java.io.IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
