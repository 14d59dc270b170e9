package io.kezdesu.benchmarks.openloop;

import io.kezdesu.benchmarks.ServerSample;
import io.kezdesu.benchmarks.peerjs.PeerJsLoad;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An open-loop signaling load generator: offers a fixed aggregate rate of relay messages, whatever the server does,
 * and measures what arrives. Unlike the closed-loop peerjs.PeerJsLoad (a window of messages in flight per client) a
 * slow server does not slow the offered load down, and latency counts from each message's <em>scheduled</em> send
 * time, so a stall shows in the latencies of every message it delays (no coordinated omission).
 *
 * <p>{@code --pairs N} gives 2N clients: N PeerJS pairs (each sends to its partner), or N kezdesu {@code /ws} rooms of
 * two (each sends offer/answer/candidate to the other). Message {@code k} of the run is scheduled at {@code k / rate}
 * and goes from client {@code k mod 2N}, so every client sends at {@code rate / 2N}; each client's messages cycle
 * OFFER, ANSWER, 8 × CANDIDATE (an SDP of ~2 KB, a candidate of ~200 B) as in PeerJsLoad, in both protocols, the
 * clients' cycles staggered so that the byte rate is even too.
 *
 * <p>All clients share one epoll event-loop thread (run it pinned, {@code taskset -c 1}): a timer every
 * {@code --tick-us} writes the messages that fell due since the last tick (pre-encoded, pre-masked frames of which only
 * the stamp is rewritten) and flushes each channel once. The stamp is the scheduled send time; a message whose stamp
 * lies in the measured window counts as sent, and as received if it arrives before the window's end plus
 * {@code --grace} seconds (sending goes on meanwhile, so the last messages of the window see the same load as the
 * others). {@code gen_late_ms} is how far behind its schedule the generator wrote (the tick interval is the floor):
 * a saturated generator shows there, not as server latency.
 *
 * <pre>
 * OpenLoad --protocol peerjs --url ws://127.0.0.1:PORT/peerjs/peerjs --rate 10000 [--pairs 50] [--warmup 5]
 *     [--seconds 20] [--pid SERVER_PID] [--tick-us 1000] [--grace 2] [--sources auto] [--peerjs-key peerjs]
 * OpenLoad --protocol ws --data-dir DIR --mongo-uri mongodb://127.0.0.1:P --rate 10000 [--url http://127.0.0.1:PORT]
 *     [--mongo-database kezdesu] [--jwt-secret S] (same options as above)
 * </pre>
 *
 * For ws, {@code --url} defaults to the one in {@code DIR/daemon.json} and {@code --pid} to its pid. The daemon needs
 * {@code --connections-per-ip 0} and, for ws, {@code --ws-rate-limit} above the per-connection rate (rate / 2N; 0 is
 * refused there, 1000000 is its ceiling), for its PeerJS endpoint {@code --peerjs-rate-limit 0}.
 * {@code --sources} defaults to one loopback source address per thousand connections (at most 8).
 *
 * <p>Prints one line of {@code key=value} pairs on stdout (progress and problems go to stderr): scheduled/sent/
 * received/lost count the measured window; latency percentiles are of the received ones; server CPU (utime+stime of
 * {@code --pid} from /proc) covers the measured window only, {@code server_cores} = CPU seconds per second;
 * {@code gen_late_ms}/{@code gen_late_p99_ms} are the generator's max/p99 lag behind its schedule and
 * {@code gen_cores} its own CPU (near 1.00: the generator, not the server, is the limit); {@code errors} counts
 * refusals, unexpected messages and dropped connections during the run (the first five are printed). Exits 1 when
 * set-up fails (a connection, handshake, OPEN or join refused or timed out), 2 on bad arguments.
 */
public final class OpenLoad {

    private static final long SECOND = 1_000_000_000L;
    private static final long HEARTBEAT_NANOS = 5 * SECOND;

    private final Map<String, String> args;
    private final boolean peerJs;
    private final long rate;
    private final int pairs;
    private final long warmupNanos;
    private final long measureNanos;
    private final long graceNanos;
    private final long tickMicros;
    private final int sources;
    private long pid;

    // Set-up, read by the main thread.
    private final CountDownLatch readyLatch;
    private final Semaphore connecting = new Semaphore(128);
    private volatile String setupFailure;
    private volatile boolean started;
    private volatile boolean finished;

    // Everything below is confined to the event loop.
    private final List<Client> clients = new ArrayList<>();
    private Client[] senders;
    private Client[] dirty;
    private int dirtyCount;
    private ScheduledFuture<?> ticker;
    private volatile long t0;
    private long next;
    private long windowStart;
    private long windowEnd;
    private long nextHeartbeat;
    private long sent;
    private long received;
    private long problems;
    long other;
    private int reported;
    private final Histogram latency = new Histogram();
    private final Histogram late = new Histogram();

    private OpenLoad(Map<String, String> args) {
        this.args = args;
        String protocol = required("protocol");
        if (!protocol.equals("peerjs") && !protocol.equals("ws")) {
            throw new IllegalArgumentException("--protocol must be peerjs or ws, not " + protocol);
        }
        this.peerJs = protocol.equals("peerjs");
        this.rate = Long.parseLong(required("rate"));
        this.pairs = Integer.parseInt(args.getOrDefault("pairs", "50"));
        this.warmupNanos = seconds("warmup", "5");
        this.measureNanos = seconds("seconds", "20");
        this.graceNanos = seconds("grace", "2");
        this.tickMicros = Long.parseLong(args.getOrDefault("tick-us", "1000"));
        // Source addresses 127.0.0.1..N: one address is plenty for a thousand connections (~28k ephemeral ports).
        this.sources = Integer.parseInt(args.getOrDefault("sources",
                Integer.toString(Math.min(8, Math.max(1, (2 * pairs + 999) / 1000)))));
        this.pid = Long.parseLong(args.getOrDefault("pid", "0"));
        if (rate <= 0 || pairs <= 0 || measureNanos <= 0 || tickMicros <= 0 || sources < 1 || sources > 254) {
            throw new IllegalArgumentException("--rate, --pairs, --seconds, --tick-us must be positive,"
                    + " --sources in 1..254");
        }
        if (peerJs) {
            required("url");
        }
        this.readyLatch = new CountDownLatch(2 * pairs);
    }

    private String required(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private long seconds(String name, String def) {
        return (long) (Double.parseDouble(args.getOrDefault(name, def)) * SECOND);
    }

    public static void main(String[] argv) throws Exception {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Leak sampling takes a stack trace per sampled buffer: generator CPU the servers would not get.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        Map<String, String> args = new HashMap<>();
        OpenLoad load;
        try {
            for (int i = 0; i < argv.length; i++) {
                if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
                }
                args.put(argv[i].substring(2), argv[++i]);
            }
            load = new OpenLoad(args);
        } catch (IllegalArgumentException e) {
            System.err.println("OpenLoad: " + e.getMessage());
            System.err.println("usage: OpenLoad --protocol peerjs|ws --rate MSG_PER_S [--pairs 50] [--warmup 5]"
                    + " [--seconds 20] [--pid SERVER_PID] [--tick-us 1000] [--grace 2] [--sources N]\n"
                    + "  peerjs: --url ws://127.0.0.1:PORT/peerjs/peerjs [--peerjs-key peerjs]\n"
                    + "  ws:     --data-dir DAEMON_DATA_DIR --mongo-uri mongodb://127.0.0.1:P"
                    + " [--url http://127.0.0.1:PORT] [--mongo-database kezdesu] [--jwt-secret S]");
            System.exit(2);
            return;
        }
        String line;
        try {
            line = load.run();
        } catch (SetupException e) {
            System.err.println("OpenLoad: set-up failed: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println(line);
        System.exit(0);
    }

    /** Set-up failed: exit 1 with the message. */
    static final class SetupException extends Exception {
        SetupException(String message) {
            super(message);
        }
    }

    private String run() throws Exception {
        URI base;
        WsSetup ws = null;
        if (peerJs) {
            base = URI.create(required("url"));
        } else {
            String url = args.get("url");
            Path dataDir = args.containsKey("data-dir") ? Path.of(args.get("data-dir")) : null;
            if (dataDir != null && (url == null || pid == 0)) {
                String daemon = Files.readString(dataDir.resolve("daemon.json"));
                Matcher u = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"").matcher(daemon);
                Matcher p = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)").matcher(daemon);
                if (url == null && u.find()) {
                    url = u.group(1);
                }
                if (pid == 0 && p.find()) {
                    pid = Long.parseLong(p.group(1));
                }
            }
            if (url == null) {
                throw new SetupException("--url (or --data-dir with a daemon.json) is required for --protocol ws");
            }
            URI u = URI.create(url);
            base = URI.create("ws://" + u.getHost() + ":" + u.getPort() + "/ws");
            String secret = args.containsKey("jwt-secret") ? args.get("jwt-secret") : dataDir != null
                    ? WsSetup.secretFrom(dataDir) : null;
            if (secret == null || !args.containsKey("mongo-uri")) {
                throw new SetupException("--protocol ws needs --mongo-uri and --data-dir (or --jwt-secret)");
            }
            ws = new WsSetup(secret);
            try {
                ws.seed(args.get("mongo-uri"), args.getOrDefault("mongo-database", "kezdesu"), pairs);
            } catch (RuntimeException e) {
                throw new SetupException("could not write users and rooms into " + args.get("mongo-uri") + ": " + e);
            }
        }
        if (pid > 0 && !Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            throw new SetupException("no process " + pid);
        }

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoop loop = group.next();
        try {
            long setupStart = System.nanoTime();
            String run = Long.toString(System.nanoTime(), 36);
            for (int i = 0; i < 2 * pairs; i++) {
                clients.add(peerJs ? new Client(this, i, "ol" + run + "-" + i, null)
                        : new Client(this, i, ws.userId(i), ws.roomId(i / 2)));
            }
            for (Client c : clients) {
                if (!connecting.tryAcquire(60, TimeUnit.SECONDS)) {
                    setupFailure = "128 connections in progress and none ready for 60 s";
                }
                if (setupFailure != null) {
                    break;
                }
                String query = peerJs ? "?key=" + args.getOrDefault("peerjs-key", "peerjs") + "&id=" + c.name
                        + "&token=bench&version=1.5.5" : "?token=" + ws.token(c.index);
                InetSocketAddress local = sources == 1 ? null
                        : new InetSocketAddress("127.0.0." + (1 + c.index % sources), 0);
                connect(group, URI.create(base + query), c, local);
            }
            // Joins cost the server store writes: give up only when 60 s pass without one more client ready.
            long deadline = System.nanoTime() + 60 * SECOND;
            long waiting = readyLatch.getCount();
            while (setupFailure == null && !readyLatch.await(100, TimeUnit.MILLISECONDS)) {
                if (readyLatch.getCount() < waiting) {
                    waiting = readyLatch.getCount();
                    deadline = System.nanoTime() + 60 * SECOND;
                } else if (System.nanoTime() > deadline) {
                    setupFailure = (2 * pairs - waiting) + " of " + 2 * pairs + " clients "
                            + (peerJs ? "got OPEN" : "joined") + "; none more for 60 s";
                }
            }
            if (setupFailure != null) {
                throw new SetupException(setupFailure);
            }
            loop.submit(() -> {
                for (Client c : clients) {
                    Client partner = clients.get(c.index ^ 1);
                    c.prepare(peerJs, peerJs ? partner.name : partner.participantId);
                }
                started = true;
            }).sync();
            System.err.printf(Locale.ROOT, "OpenLoad: %d %s clients ready in %.1f s; offering %d msg/s for %.0f s"
                            + " warm-up + %.0f s measured%n", 2 * pairs, peerJs ? "PeerJS" : "ws",
                    (System.nanoTime() - setupStart) / 1e9, rate, warmupNanos / 1e9, measureNanos / 1e9);

            loop.submit(this::start).sync();
            long start = t0;
            sleepUntil(start + warmupNanos);
            ServerSample before = ServerSample.take(pid);
            ServerSample genBefore = ServerSample.take(ProcessHandle.current().pid());
            long cpuFrom = System.nanoTime();
            sleepUntil(start + warmupNanos + measureNanos);
            ServerSample after = ServerSample.take(pid);
            ServerSample genAfter = ServerSample.take(ProcessHandle.current().pid());
            long cpuTo = System.nanoTime();
            sleepUntil(start + warmupNanos + measureNanos + graceNanos);
            String line = loop.submit(() -> result(before, after, genBefore, genAfter,
                    (cpuTo - cpuFrom) / 1e9)).get();
            finished = true;
            return line;
        } finally {
            finished = true;
            loop.submit(() -> clients.forEach(c -> {
                if (c.ctx != null) {
                    c.ctx.close();
                }
            })).await(2, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private void connect(EventLoopGroup group, URI uri, Client client, InetSocketAddress local) {
        // The same client pipeline as PeerJsLoad's (no UTF-8 validation: only a stamp is read).
        Bootstrap b = PeerJsLoad.bootstrap(group, uri, 1 << 20, client);
        InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
        ChannelFuture f = local == null ? b.connect(remote) : b.connect(remote, local);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                problem(client, "connect to " + remote + " failed: " + done.cause());
            }
        });
    }

    // ---- callbacks from the clients, on the event loop ----

    void ready(Client c) {
        connecting.release();
        readyLatch.countDown();
    }

    void problem(Client c, String what) {
        if (finished) {
            return;
        }
        if (!started) {
            if (setupFailure == null) {
                setupFailure = "client " + c.index + " (" + c.name + "): " + what;
            }
            connecting.release();
            return;
        }
        problems++;
        if (++reported <= 5) {
            System.err.println("OpenLoad: client " + c.index + ": " + what);
        }
    }

    void received(long stamp) {
        if (stamp >= windowStart && stamp < windowEnd) {
            received++;
            latency.record(System.nanoTime() - Frames.nanoTimeOf(stamp));
        }
    }

    // ---- the schedule, on the event loop ----

    private void start() {
        senders = clients.toArray(new Client[0]);
        dirty = new Client[senders.length];
        long now = System.nanoTime();
        t0 = now;
        windowStart = Frames.stampOf(now + warmupNanos);
        windowEnd = Frames.stampOf(now + warmupNanos + measureNanos);
        nextHeartbeat = now + HEARTBEAT_NANOS;
        ticker = senders[0].ctx.executor().scheduleAtFixedRate(this::tick, 0, tickMicros, TimeUnit.MICROSECONDS);
    }

    /** Writes every message due by now (message k is due at t0 + k / rate), then flushes each channel once. */
    private void tick() {
        long now = System.nanoTime();
        if (now < t0) {
            return;
        }
        long due = (now - t0) * rate / SECOND + 1;
        int n = senders.length;
        while (next < due) {
            long k = next++;
            long scheduled = t0 + k * SECOND / rate;
            long stamp = Frames.stampOf(scheduled);
            Client c = senders[(int) (k % n)];
            if (stamp >= windowStart && stamp < windowEnd) {
                sent++;
                late.record(now - scheduled);
            }
            if (c.active) {
                // Client c's (k / n)-th message, its cycle offset by c's index: each round of n messages
                // carries the same share of SDPs, rather than all clients sending their SDPs in the same rounds.
                c.send(Frames.kind(k / n + k % n), stamp);
                markDirty(c);
            }
        }
        if (peerJs && now >= nextHeartbeat) {
            // As the PeerJS client does every 5 s: the servers drop clients silent for their alive timeout.
            nextHeartbeat += HEARTBEAT_NANOS;
            for (Client c : senders) {
                if (c.active) {
                    c.sendHeartbeat();
                    markDirty(c);
                }
            }
        }
        for (int i = 0; i < dirtyCount; i++) {
            dirty[i].dirty = false;
            dirty[i].flush();
        }
        dirtyCount = 0;
    }

    private void markDirty(Client c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty[dirtyCount++] = c;
        }
    }

    private String result(ServerSample before, ServerSample after, ServerSample genBefore, ServerSample genAfter,
                          double cpuSeconds) {
        ticker.cancel(false);
        finished = true;
        double seconds = measureNanos / 1e9;
        // Messages scheduled in the window: k with warm-up <= k / rate < warm-up + measure.
        long scheduled = ceilDiv(warmupNanos + measureNanos) - ceilDiv(warmupNanos);
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "protocol=%s offered_per_s=%d pairs=%d clients=%d seconds=%.1f scheduled=%d sent=%d received=%d"
                        + " lost=%d achieved_per_s=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f",
                peerJs ? "peerjs" : "ws", rate, pairs, 2 * pairs, seconds, scheduled, sent, received,
                sent - received, received / seconds, latency.percentileMs(0.50), latency.percentileMs(0.99),
                latency.percentileMs(0.999), latency.maxMs()));
        if (pid > 0) {
            double cpu = (after.cpuTicks() - before.cpuTicks()) / (double) ServerSample.TICKS_PER_SECOND;
            out.append(String.format(Locale.ROOT, " server_cpu_s=%.2f server_cores=%.2f server_cpu_us_per_msg=%.2f"
                            + " server_rss_mb=%.1f", cpu, cpu / cpuSeconds, cpu * 1e6 / Math.max(1, received),
                    after.rssKb() / 1024.0));
        }
        // The generator's own CPU (all its threads): near 1.00 core it is the bottleneck, whatever gen_late says.
        double genCpu = (genAfter.cpuTicks() - genBefore.cpuTicks()) / (double) ServerSample.TICKS_PER_SECOND;
        out.append(String.format(Locale.ROOT, " gen_late_ms=%.2f gen_late_p99_ms=%.2f gen_cores=%.2f tick_us=%d"
                + " errors=%d", late.maxMs(), late.percentileMs(0.99), genCpu / cpuSeconds, tickMicros, problems));
        return out.toString();
    }

    /** The number of k >= 0 with k * 10^9 / rate < nanos. */
    private long ceilDiv(long nanos) {
        return -Math.floorDiv(-nanos * rate, SECOND);
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }
}
