package io.kezdesu.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.auth.JwtService;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A whole-server load tool for kezdesu signaling. R rooms × P participants connect over WebSocket (spread over several
 * 127.x source addresses, since one address has ~28k ephemeral ports), join, and then either stay idle (to measure
 * the server's memory per session) or keep {@code window} offer/answer/candidate messages each in flight to random
 * peers of their room (to measure relay throughput and latency). Users and rooms are written straight into the
 * daemon's store and tokens are minted with its JWT secret, so that setting up 15,000 sessions does not cost 15,000
 * Argon2 hashes; everything after that goes through the public WebSocket protocol.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.kezdesu.benchmarks.SignalingLoad --url http://127.0.0.1:8080 \
 *     --data-dir DIR --mongo-uri mongodb://127.0.0.1:PORT --mode idle|load --rooms 100 --participants 4 \
 *     [--seconds 20] [--window 4] [--payload 200] [--sources 4] [--pid SERVER_PID] [--pause-us 0]
 *     [--url2 http://127.0.0.1:PORT2 --pid2 PID2 --jwt-secret S]   (a second node: odd participants connect there)
 * </pre>
 */
public final class SignalingLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> args;
    private final String host;
    private final int port;
    /** A second node of a cluster (--url2): participants at odd places connect there, and are forwarded. */
    private final int port2;
    private final String run = Long.toHexString(System.nanoTime());

    private SignalingLoad(Map<String, String> args) {
        this.args = args;
        URI url = URI.create(args.getOrDefault("url", "http://127.0.0.1:8080"));
        this.host = url.getHost();
        this.port = url.getPort();
        this.port2 = args.containsKey("url2") ? URI.create(args.get("url2")).getPort() : port;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new SignalingLoad(args).run();
        System.exit(0);
    }

    private int intArg(String name, int def) {
        return Integer.parseInt(args.getOrDefault(name, String.valueOf(def)));
    }

    private void run() throws Exception {
        int rooms = intArg("rooms", 100);
        int per = intArg("participants", 4);
        int sources = intArg("sources", 4);
        String mode = args.getOrDefault("mode", "load");
        long pid = Long.parseLong(args.getOrDefault("pid", "0"));
        String secret = args.containsKey("jwt-secret") ? args.get("jwt-secret")
                : Files.readString(Path.of(args.get("data-dir"), "jwt-secret")).strip();
        JwtService jwt = new JwtService(secret, "kezdesu", Duration.ofHours(2), Clock.systemUTC());

        // The idle daemon's RSS, before the accounts and rooms are seeded: seeding thousands of documents through the
        // embedded store grows the heap for a while, and an RSS read right after it is no baseline (seen at 625 MiB
        // where the daemon had started at 150).
        long rssIdle = rss(pid);
        List<String> roomIds = seed(rooms, per);
        long heapBefore = heapAfterGc(pid);
        long rssBefore = rss(pid);
        long cpuBefore = cpuTicks(pid);

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Stats stats = new Stats();
        List<Client> clients = new ArrayList<>();
        Semaphore connecting = new Semaphore(256);
        CountDownLatch joined = new CountDownLatch(rooms * per);
        long t0 = System.nanoTime();
        for (int r = 0; r < rooms; r++) {
            List<Client> room = new ArrayList<>();
            for (int p = 0; p < per; p++) {
                int n = r * per + p;
                Client c = new Client(roomIds.get(r), room, stats, joined, connecting, mode.equals("load"),
                        intArg("window", 4), intArg("payload", 200), intArg("pause-us", 0));
                room.add(c);
                clients.add(c);
                connecting.acquire();
                if (n > 0 && n % 2000 == 0) {
                    System.out.printf("  ... %d connecting after %.0f s%n", n, (System.nanoTime() - t0) / 1e9);
                }
                String token = jwt.issue(userId(n), 0).token();
                InetSocketAddress local = new InetSocketAddress("127.0.0." + (2 + n % sources), 0);
                // The permit is returned when the session has joined (or failed): at most 256 handshakes and joins
                // are in flight, like a crowd arriving rather than a SYN flood.
                connect(group, epoll, c, token, local, p % 2 == 1 ? port2 : port).addListener(f -> {
                    if (!f.isSuccess()) {
                        c.done();
                    }
                });
            }
        }
        long lastReport = System.nanoTime();
        while (!joined.await(5, TimeUnit.SECONDS) && System.nanoTime() - t0 < 600_000_000_000L) {
            System.out.printf("  ... %d joined after %.0f s%n", rooms * per - joined.getCount(),
                    (System.nanoTime() - t0) / 1e9);
        }
        if (joined.getCount() > 0) {
            System.out.printf("only %d of %d joined%n", rooms * per - joined.getCount(), rooms * per);
        }
        double setup = (System.nanoTime() - t0) / 1e9;
        System.out.printf("sessions: %d joined in %.1f s (%d rooms x %d)%n", rooms * per, setup, rooms, per);
        if (mode.equals("idle")) {
            // Let the server settle (GC, heartbeats) before reading its memory.
            long settle = System.nanoTime() + Duration.ofSeconds(intArg("seconds", 10)).toNanos();
            while (System.nanoTime() < settle) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            // RSS first: the full GC that measures the live objects would also shrink the heap.
            long rssAfter = rss(pid);
            long heapAfter = heapAfterGc(pid);
            System.out.printf("server RSS: %.1f MiB idle (%.1f MiB after seeding %d accounts) -> %.1f MiB, %.0f bytes "
                    + "per session%n", rssIdle / 1048576.0, rssBefore / 1048576.0, rooms * per, rssAfter / 1048576.0,
                    (rssAfter - rssIdle) / (double) (rooms * per));
            System.out.printf("server live objects after full GC: %.1f MiB -> %.1f MiB, %.0f bytes per session%n",
                    heapBefore / 1048576.0, heapAfter / 1048576.0, (heapAfter - heapBefore) / (double) (rooms * per));
        } else {
            stats.reset();
            long pid2 = Long.parseLong(args.getOrDefault("pid2", "0"));
            long cpu2Before = pid2 > 0 ? cpuTicks(pid2) : 0;
            long cpu0 = cpuTicks(pid);
            long start = System.nanoTime();
            clients.forEach(Client::startSending);
            long end = start + Duration.ofSeconds(intArg("seconds", 20)).toNanos();
            while (System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            clients.forEach(Client::stopSending);
            double secs = (System.nanoTime() - start) / 1e9;
            long cpu1 = cpuTicks(pid);
            long cpu2After = pid2 > 0 ? cpuTicks(pid2) : 0;
            long received = stats.received.get();
            System.out.printf("relayed: %d messages in %.1f s = %.0f msg/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms;"
                    + " errors %d%n", received, secs, received / secs, stats.percentile(0.50) / 1e6,
                    stats.percentile(0.99) / 1e6, stats.percentile(1.0) / 1e6, stats.errors.get());
            if (pid > 0) {
                double cpuSeconds = (cpu1 - cpu0 + cpu2After - cpu2Before) / 100.0;
                System.out.printf("server CPU: %.2f s = %.1f us per relayed message; RSS %.1f MiB%n", cpuSeconds,
                        cpuSeconds * 1e6 / Math.max(1, received), rss(pid) / 1048576.0);
            }
        }
        System.out.printf("server CPU total during the run: %.2f s%n", (cpuTicks(pid) - cpuBefore) / 100.0);
        clients.forEach(Client::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private String userId(int n) {
        return "bench-" + run + "-" + n;
    }

    /** Writes the users and rooms straight into the daemon's store (benchmark set-up only). */
    private List<String> seed(int rooms, int per) {
        try (MongoClient mongo = MongoClients.create(args.get("mongo-uri"))) {
            MongoDatabase db = mongo.getDatabase(args.getOrDefault("mongo-database", "kezdesu"));
            Date now = new Date();
            List<Document> users = new ArrayList<>();
            List<Document> roomDocs = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < rooms * per; n++) {
                users.add(new Document("_id", userId(n)).append("email", userId(n) + "@bench.invalid")
                        .append("name", "bench " + n).append("passwordHash", "$none").append("disabled", false)
                        .append("createdAt", now).append("updatedAt", now).append("tokenVersion", 0L));
            }
            for (int r = 0; r < rooms; r++) {
                String id = "bench-" + run + "-room-" + r;
                ids.add(id);
                roomDocs.add(new Document("_id", id).append("name", "bench " + r).append("headId", userId(r * per))
                        .append("moderators", List.of()).append("maxParticipants", per).append("locked", false)
                        .append("passwordHash", null).append("lobby", false).append("banned", List.of())
                        .append("closed", false).append("createdAt", now).append("updatedAt", now));
            }
            Flux.fromIterable(partition(users, 1000))
                    .concatMap(batch -> Mono.from(db.getCollection("users").insertMany(batch))).blockLast();
            Flux.fromIterable(partition(roomDocs, 1000))
                    .concatMap(batch -> Mono.from(db.getCollection("rooms").insertMany(batch))).blockLast();
            return ids;
        }
    }

    private static <T> List<List<T>> partition(List<T> list, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i += size) {
            out.add(list.subList(i, Math.min(list.size(), i + size)));
        }
        return out;
    }

    private io.netty.channel.ChannelFuture connect(EventLoopGroup group, boolean epoll, Client client, String token,
                                                   InetSocketAddress local, int port) {
        URI uri = URI.create("ws://" + host + ":" + port + "/ws?token=" + token);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).version(WebSocketVersion.V13).customHeaders(new DefaultHttpHeaders())
                .maxFramePayloadLength(1 << 20).handleCloseFrames(true).build();
        return new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                new WebSocketClientProtocolHandler(config), client);
                    }
                })
                .connect(new InetSocketAddress(host, port), local);
    }

    private static long rss(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    /**
     * Bytes of live objects in the server's heap: the total of a class histogram, which jcmd (the JDK's own tool)
     * takes after a full GC. Unlike RSS this does not move with the collector's sizing decisions.
     */
    private static long heapAfterGc(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long cpuTicks(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Latencies (ns) and counts, shared by all clients. */
    static final class Stats {
        final AtomicLong received = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        private long[] samples = new long[1 << 20];
        private int count;

        synchronized void record(long nanos) {
            received.incrementAndGet();
            if (count < samples.length) {
                samples[count++] = nanos;
            } else {
                int i = ThreadLocalRandom.current().nextInt((int) Math.min(Integer.MAX_VALUE, received.get()));
                if (i < samples.length) {
                    samples[i] = nanos;
                }
            }
        }

        synchronized void reset() {
            received.set(0);
            count = 0;
        }

        synchronized double percentile(double q) {
            if (count == 0) {
                return 0;
            }
            long[] s = Arrays.copyOf(samples, count);
            Arrays.sort(s);
            return s[Math.min(count - 1, (int) Math.ceil(q * count) - 1 < 0 ? 0 : (int) Math.ceil(q * count) - 1)];
        }
    }

    /** One participant: joins, then (in load mode) keeps {@code window} messages in flight to random peers. */
    static final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {
        private static final String[] TYPES = {"offer", "answer", "candidate"};
        private final String room;
        private final List<Client> peers;
        private final Stats stats;
        private final CountDownLatch joined;
        private final Semaphore permits;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        private final boolean load;
        private final int window;
        private final String pad;
        /** Before passing a message on, wait this long: an offered load set by the pause, not by the server. */
        private final long pauseMicros;
        private volatile Channel channel;
        private volatile String id;
        private volatile boolean sending;

        Client(String room, List<Client> peers, Stats stats, CountDownLatch joined, Semaphore permits, boolean load,
               int window, int payload, long pauseMicros) {
            this.pauseMicros = pauseMicros;
            this.permits = permits;
            this.room = room;
            this.peers = peers;
            this.stats = stats;
            this.joined = joined;
            this.load = load;
            this.window = window;
            this.pad = "x".repeat(payload);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                channel = ctx.channel();
                ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"join\",\"room\":\"" + room + "\"}"));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) throws Exception {
            if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
                return;
            }
            if (!(frame instanceof TextWebSocketFrame text)) {
                return;
            }
            JsonNode msg = JSON.readTree(text.text());
            String type = msg.path("type").asText();
            switch (type) {
                case "joined" -> {
                    id = msg.path("you").asText();
                    joined.countDown();
                    done();
                }
                case "offer", "answer", "candidate" -> {
                    stats.record(System.nanoTime() - msg.path("ts").asLong());
                    if (sending && pauseMicros > 0) {
                        ctx.executor().schedule(this::sendOne, pauseMicros, TimeUnit.MICROSECONDS);
                    } else if (sending) {
                        sendOne();
                    }
                }
                case "error" -> {
                    if (stats.errors.incrementAndGet() <= 5) {
                        System.out.println("  error: " + text.text());
                    }
                }
                default -> { }
            }
        }

        void done() {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done();
            if (stats.failures.incrementAndGet() <= 5) {
                System.out.println("  connection failed: " + cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done();
            if (id == null && stats.failures.incrementAndGet() <= 5) {
                System.out.println("  closed before joining");
            }
            super.channelInactive(ctx);
        }

        void startSending() {
            if (!load || id == null) {
                return;
            }
            sending = true;
            for (int i = 0; i < window; i++) {
                sendOne();
            }
        }

        void stopSending() {
            sending = false;
        }

        private void sendOne() {
            if (!sending) {
                return;
            }
            Client to;
            do {
                to = peers.get(ThreadLocalRandom.current().nextInt(peers.size()));
            } while (to == this && peers.size() > 1);
            if (to.id == null || to == this) {
                return;
            }
            String type = TYPES[ThreadLocalRandom.current().nextInt(TYPES.length)];
            channel.writeAndFlush(new TextWebSocketFrame("{\"type\":\"" + type + "\",\"to\":\"" + to.id
                    + "\",\"ts\":" + System.nanoTime() + ",\"sdp\":\"" + pad + "\"}"));
        }

        void close() {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }
}
