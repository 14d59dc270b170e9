package io.kezdesu.benchmarks.relay;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.benchmarks.ServerSample;
import io.kezdesu.common.turn.TurnRestCredentials;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.probe.ClientMessage;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunTypes;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TURN allocation churn against any TURN server over UDP (ours or coturn's turnserver), with REST credentials
 * (username {@code "<unix-expiry>:<user>"}, password base64(HMAC-SHA1(secret, username))).
 *
 * <p>One cycle per client socket (one 5-tuple, one allocation at a time): Allocate without credentials, the 401's
 * REALM and NONCE, Allocate with USERNAME/REALM/NONCE/MESSAGE-INTEGRITY/FINGERPRINT and REQUESTED-TRANSPORT=UDP, its
 * success (XOR-RELAYED-ADDRESS), then an authenticated Refresh with LIFETIME=0 that deletes the allocation so the
 * relay port range is never exhausted. {@code --concurrency} slots run cycles back to back on one thread (a
 * selector over non-blocking DatagramChannels: at most one core); each cycle opens a fresh client socket (a new
 * 5-tuple, as a new client would; {@code --reuse-sockets} keeps one per slot, which coturn answers with 437 when the
 * next Allocate follows the delete at once).
 *
 * <p>{@code --source-ips N} spreads the client sockets over N loopback source addresses (127.1.0.0 onwards; Linux
 * routes all of 127/8 to lo): servers that rate-limit 401 challenges per source IP (kezdesu: burst 20, then
 * 10/s per IP) would otherwise cap a single-address load at that limit rather than at their allocation speed. A 438 (stale nonce) is answered once with the new
 * nonce; a lost datagram is retransmitted after 500 ms (twice), then the cycle counts as a timeout and the slot
 * starts over on a fresh socket (so a half-made allocation cannot collide with the next one).
 *
 * <p>Prints one result line of {@code key=value} pairs for the measured window (after the warm-up): completed
 * allocate+delete cycles per second, p50/p99/max latency of the allocation (first Allocate sent to the success
 * received: two round trips), errors by code, and with {@code --pid} the server's CPU over the window from
 * /proc/&lt;pid&gt;/stat.
 *
 * <p>With {@code --hold N} it instead makes N allocations (N sockets, {@code --concurrency} in flight), prints
 * {@code held=...}, keeps them (refreshing nothing: use a lifetime longer than the hold) until standard input
 * closes or gives a line, then deletes them and prints {@code released=...}. {@link AllocationHeap} runs it so
 * as a child process, to keep the client sockets out of the relay's heap.
 *
 * <pre>
 * java -cp ... io.kezdesu.benchmarks.relay.AllocationLoad --server 127.0.0.1:3478 --secret S
 *      [--concurrency 64] [--seconds 20] [--warmup 5] [--pid server-pid] [--source-ips 1] [--reuse-sockets]
 * </pre>
 */
public final class AllocationLoad {

    private static final int RTO_MILLIS = 500;
    private static final int MAX_SENDS = 3;

    private enum State { IDLE, ALLOC_PLAIN, ALLOC_AUTH, HELD, REFRESH, DONE }

    private final InetSocketAddress server;
    private final byte[] secret;
    private final boolean freshSockets;
    private final int sourceIps;
    private int nextSource;
    private final long expiry;
    private final Selector selector;
    private final ByteBuffer buf = ByteBuffer.allocate(4096);
    private final List<Slot> slots = new ArrayList<>();

    // Counters for the measured window.
    private boolean measuring;
    private long cycles;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private long timeouts;
    private long retransmits;
    private long staleNonces;
    private final Map<String, Long> errors = new TreeMap<>();
    private long allocated; // successful Allocates in the window (cycles counts those deleted too)

    private AllocationLoad(InetSocketAddress server, String secret, boolean freshSockets, int sourceIps)
            throws IOException {
        this.server = server;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.freshSockets = freshSockets;
        this.sourceIps = sourceIps;
        if (sourceIps > 1 && !server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("--source-ips needs a server on 127.0.0.0/8");
        }
        this.expiry = System.currentTimeMillis() / 1000 + 86_400;
        this.selector = Selector.open();
    }

    private final class Slot {
        final String username;
        final String password;
        DatagramChannel channel;
        SelectionKey key;
        State state = State.IDLE;
        String realm;
        String nonce;
        byte[] hmacKey;
        byte[] tid;
        byte[] request;
        long firstSent;
        long lastSent;
        int sends;
        boolean nonceRetried;

        Slot(int index) throws IOException {
            username = expiry + ":b" + index + "x" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40);
            password = TurnRestCredentials.password(secret, username);
            open();
        }

        void open() throws IOException {
            if (channel != null) {
                key.cancel();
                channel.close();
            }
            channel = DatagramChannel.open();
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            channel.bind(new InetSocketAddress(sourceAddress(), 0));
            channel.connect(server);
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
            realm = null;
            nonce = null;
            hmacKey = null;
        }

        void send(State next, int method, List<OutAttribute> attrs, boolean auth) throws IOException {
            state = next;
            tid = new byte[12];
            ThreadLocalRandom.current().nextBytes(tid);
            List<OutAttribute> all = attrs;
            if (auth) {
                all = new ArrayList<>(attrs);
                all.add(new OutAttribute.Username(username));
                all.add(new OutAttribute.Realm(realm));
                all.add(new OutAttribute.Nonce(nonce));
            }
            request = StunCodec.encode(StunTypes.type(method, Kind.REQUEST), tid, all, auth ? hmacKey : null, true);
            sends = 0;
            transmit();
        }

        void transmit() throws IOException {
            sends++;
            lastSent = System.nanoTime();
            channel.write(ByteBuffer.wrap(request));
        }

        void startAllocate() throws IOException {
            firstSent = System.nanoTime();
            nonceRetried = false;
            send(State.ALLOC_PLAIN, ALLOCATE, List.of(new OutAttribute.RequestedTransport(PROTOCOL_UDP)), false);
        }

        void authAllocate() throws IOException {
            send(State.ALLOC_AUTH, ALLOCATE, List.of(new OutAttribute.RequestedTransport(PROTOCOL_UDP)), true);
        }

        void delete() throws IOException {
            nonceRetried = false;
            send(State.REFRESH, REFRESH, List.of(new OutAttribute.Lifetime(0)), true);
        }

        void challenge(ClientMessage r) {
            String newRealm = r.string(ATTR_REALM);
            if (!newRealm.equals(realm)) {
                realm = newRealm;
                hmacKey = StunCodec.longTermKey(username, realm, password);
            }
            nonce = r.string(ATTR_NONCE);
        }
    }

    /** The next client source address: the server's own, or 127.1.0.0 + i round-robin over {@code sourceIps}. */
    private java.net.InetAddress sourceAddress() throws IOException {
        if (sourceIps <= 1) {
            return server.getAddress();
        }
        int i = nextSource++ % sourceIps;
        return java.net.InetAddress.getByAddress(new byte[] {127, (byte) (1 + (i >>> 16)), (byte) (i >>> 8),
                (byte) i});
    }

    private void error(Slot s, String what) throws IOException {
        if (measuring) {
            errors.merge(what, 1L, Long::sum);
        }
        // The allocation may exist (a lost success), or the server may still hold the 5-tuple (coturn answers a new
        // Allocate right after a delete with 437): a fresh 5-tuple keeps that from failing the next cycle too.
        s.open();
        s.state = State.IDLE;
    }

    private void onResponse(Slot s, ClientMessage r, boolean running, boolean hold) throws IOException {
        if (!Arrays.equals(r.transactionId(), s.tid) || r.kind() == Kind.REQUEST || r.kind() == Kind.INDICATION) {
            return; // a late answer to a retransmission, or not ours
        }
        boolean ok = r.kind() == Kind.SUCCESS;
        int code = r.errorCode();
        switch (s.state) {
            case ALLOC_PLAIN -> {
                if (!ok && code == 401 && r.string(ATTR_NONCE) != null && r.string(ATTR_REALM) != null) {
                    s.challenge(r);
                    s.authAllocate();
                } else if (ok) {
                    allocatedNow(s, hold); // a server without authentication
                } else {
                    error(s, "alloc1_" + code);
                }
            }
            case ALLOC_AUTH -> {
                if (ok && r.attributes().containsKey(ATTR_XOR_RELAYED_ADDRESS)) {
                    allocatedNow(s, hold);
                } else if (!ok && code == 438 && !s.nonceRetried) {
                    s.nonceRetried = true;
                    count438();
                    s.challenge(r);
                    s.authAllocate();
                } else {
                    error(s, ok ? "alloc_no_relayed_address" : "alloc_" + code);
                }
            }
            case REFRESH -> {
                if (ok) {
                    if (measuring) {
                        cycles++;
                    }
                    if (freshSockets && !hold) {
                        s.open();
                    }
                    s.state = hold ? State.DONE : State.IDLE;
                } else if (code == 438 && !s.nonceRetried) {
                    s.nonceRetried = true;
                    count438();
                    s.challenge(r);
                    s.send(State.REFRESH, REFRESH, List.of(new OutAttribute.Lifetime(0)), true);
                } else {
                    error(s, "refresh_" + code);
                    if (hold) {
                        s.state = State.DONE;
                    }
                }
            }
            default -> { }
        }
        if (s.state == State.IDLE && running && !hold) {
            s.startAllocate();
        }
    }

    private void count438() {
        if (measuring) {
            staleNonces++;
        }
    }

    private void allocatedNow(Slot s, boolean hold) throws IOException {
        if (measuring) {
            allocated++;
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = System.nanoTime() - s.firstSent;
        }
        if (hold) {
            s.state = State.HELD;
        } else {
            s.delete();
        }
    }

    /** Reads every pending datagram and retransmits or times out late transactions. */
    private void pump(long waitMillis, boolean running, boolean hold) throws IOException {
        selector.select(Math.max(1, waitMillis));
        for (SelectionKey k : selector.selectedKeys()) {
            if (!k.isValid()) {
                continue;
            }
            Slot s = (Slot) k.attachment();
            DatagramChannel ch = (DatagramChannel) k.channel();
            while (s.channel == ch) { // a response handler may have replaced (closed) the slot's socket
                buf.clear();
                int n;
                try {
                    n = ch.read(buf);
                } catch (java.net.PortUnreachableException e) {
                    n = -1;
                }
                if (n <= 0) {
                    break;
                }
                ClientMessage r = ClientMessage.parse(Arrays.copyOf(buf.array(), n));
                if (r != null) {
                    onResponse(s, r, running, hold);
                }
            }
        }
        selector.selectedKeys().clear();
    }

    private long lastScan;

    private void retransmit(boolean running, boolean hold) throws IOException {
        long now = System.nanoTime();
        if (now - lastScan < 50_000_000L) {
            return;
        }
        lastScan = now;
        for (Slot s : slots) {
            if (s.state == State.ALLOC_PLAIN || s.state == State.ALLOC_AUTH || s.state == State.REFRESH) {
                long rto = (long) RTO_MILLIS << (s.sends - 1);
                if (now - s.lastSent >= rto * 1_000_000L) {
                    if (s.sends >= MAX_SENDS) {
                        if (measuring) {
                            timeouts++;
                        }
                        error(s, "timeout_" + s.state.name().toLowerCase(Locale.ROOT));
                        if (hold) {
                            s.state = State.DONE;
                        } else if (running) {
                            s.startAllocate();
                        }
                    } else {
                        if (measuring) {
                            retransmits++;
                        }
                        s.transmit();
                    }
                }
            }
        }
    }

    private boolean anyInFlight() {
        for (Slot s : slots) {
            if (s.state == State.ALLOC_PLAIN || s.state == State.ALLOC_AUTH || s.state == State.REFRESH) {
                return true;
            }
        }
        return false;
    }

    private String run(int concurrency, double warmupSeconds, double seconds, long pid) throws IOException {
        for (int i = 0; i < concurrency; i++) {
            slots.add(new Slot(i));
        }
        long start = System.nanoTime();
        long measureAt = start + (long) (warmupSeconds * 1e9);
        long endAt = measureAt + (long) (seconds * 1e9);
        for (Slot s : slots) {
            s.startAllocate();
        }
        var threads = ManagementFactory.getThreadMXBean();
        long cpu0 = 0;
        ServerSample server0 = null;
        long t0 = 0;
        while (true) {
            long now = System.nanoTime();
            if (!measuring && now >= measureAt) {
                measuring = true;
                t0 = now;
                cpu0 = threads.getCurrentThreadCpuTime();
                server0 = ServerSample.take(pid);
            }
            if (now >= endAt) {
                break;
            }
            pump(Math.min(20, (endAt - now) / 1_000_000L), true, false);
            retransmit(true, false);
        }
        long t1 = System.nanoTime();
        ServerSample server1 = ServerSample.take(pid);
        long cpu1 = threads.getCurrentThreadCpuTime();
        measuring = false;
        // Let in-flight cycles finish (their allocations deleted) without starting new ones.
        long drainUntil = System.nanoTime() + 3_000_000_000L;
        while (anyInFlight() && System.nanoTime() < drainUntil) {
            pump(20, false, false);
            retransmit(false, false);
        }
        double wall = (t1 - t0) / 1e9;
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        long errorCount = errors.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "server=%s:%d concurrency=%d source_ips=%d seconds=%.1f allocations=%d alloc_per_s=%.0f p50_ms=%.2f p99_ms=%.2f"
                        + " max_ms=%.2f errors=%d timeouts=%d retransmits=%d stale_nonces=%d client_cpu_s=%.2f",
                server.getAddress().getHostAddress(), server.getPort(), concurrency, sourceIps, wall, cycles, cycles / wall,
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6,
                errorCount, timeouts, retransmits, staleNonces, (cpu1 - cpu0) / 1e9));
        if (pid > 0) {
            double serverCpu = (server1.cpuTicks() - server0.cpuTicks()) / (double) ServerSample.TICKS_PER_SECOND;
            out.append(String.format(Locale.ROOT, " server_cpu_s=%.2f server_cpu_us_per_alloc=%.2f server_rss_mb=%.1f",
                    serverCpu, serverCpu * 1e6 / Math.max(1, cycles), server1.rssKb() / 1024.0));
        }
        errors.forEach((k, v) -> out.append(" err_").append(k).append('=').append(v));
        return out.toString();
    }

    private void hold(int count, int concurrency) throws IOException {
        for (int i = 0; i < count; i++) {
            slots.add(new Slot(i));
        }
        measuring = true; // counts and latencies cover the whole hold
        long t0 = System.nanoTime();
        int next = 0;
        while (true) {
            int inFlight = 0;
            for (Slot s : slots) {
                if (s.state == State.ALLOC_PLAIN || s.state == State.ALLOC_AUTH || s.state == State.REFRESH) {
                    inFlight++;
                }
            }
            while (inFlight < concurrency && next < count) {
                slots.get(next++).startAllocate();
                inFlight++;
            }
            if (inFlight == 0 && next == count) {
                break;
            }
            pump(20, false, true);
            retransmit(false, true);
        }
        long held = slots.stream().filter(s -> s.state == State.HELD).count();
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "held=%d requested=%d seconds=%.2f p50_ms=%.2f p99_ms=%.2f", held, count,
                (System.nanoTime() - t0) / 1e9, pct(sorted, 0.5), pct(sorted, 0.99)));
        errors.forEach((k, v) -> line.append(" err_").append(k).append('=').append(v));
        System.out.println(line);
        System.out.flush();
        InputStream in = System.in;
        while (true) {
            int c = in.read();
            if (c < 0 || c == '\n') {
                break;
            }
        }
        for (Slot s : slots) {
            if (s.state == State.HELD) {
                s.state = State.IDLE;
            }
        }
        cycles = 0;
        next = 0;
        while (true) {
            int inFlight = 0;
            for (Slot s : slots) {
                if (s.state == State.REFRESH) {
                    inFlight++;
                }
            }
            while (inFlight < concurrency && next < count) {
                Slot s = slots.get(next++);
                if (s.state == State.IDLE) {
                    s.delete();
                    inFlight++;
                }
            }
            if (inFlight == 0 && next == count) {
                break;
            }
            pump(20, false, true);
            retransmit(false, true);
        }
        System.out.println("released=" + cycles);
        System.out.flush();
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        String secret = null;
        int concurrency = 64;
        double seconds = 20;
        double warmup = 5;
        long pid = -1;
        int hold = 0;
        boolean fresh = true;
        int sourceIps = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> server = args[++i];
                case "--secret" -> secret = args[++i];
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--pid" -> pid = Long.parseLong(args[++i]);
                case "--hold" -> hold = Integer.parseInt(args[++i]);
                case "--reuse-sockets" -> fresh = false;
                case "--source-ips" -> sourceIps = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (server == null || secret == null) {
            System.err.println("usage: AllocationLoad --server host:port --secret S [--concurrency C] [--seconds D]"
                    + " [--warmup W] [--pid server-pid] [--reuse-sockets] [--source-ips N] [--hold N]");
            System.exit(2);
        }
        int colon = server.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(server.substring(0, colon),
                Integer.parseInt(server.substring(colon + 1)));
        AllocationLoad load = new AllocationLoad(address, secret, fresh, sourceIps);
        if (hold > 0) {
            load.hold(hold, concurrency);
        } else {
            System.out.println(load.run(concurrency, warmup, seconds, pid));
        }
    }
}
