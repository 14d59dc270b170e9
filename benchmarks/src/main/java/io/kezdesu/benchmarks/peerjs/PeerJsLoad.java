package io.kezdesu.benchmarks.peerjs;

import io.kezdesu.benchmarks.ServerSample;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ResourceLeakDetector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A PeerJS-protocol load generator: {@code pairs} pairs of clients, each client keeping {@code window} messages in
 * flight to its partner. Every message received is answered with the next one, cycling OFFER, ANSWER and then
 * CANDIDATEs with payloads shaped like the PeerJS client's (an SDP of ~2 KB, a candidate of ~200 B). Latency is
 * one-way, send to receive, on one clock (one process). All clients share one event-loop thread, so the generator
 * takes at most one core from the server it measures.
 *
 * <p>Usage: {@code PeerJsLoad <ws-url-of-{path}/peerjs> [pairs] [window] [warmup-s] [measure-s] [server-pid]}.
 * Prints one result line of {@code key=value} pairs; with a server pid, also the server's CPU time over the
 * measured interval (utime+stime from /proc), its RSS and the sockets it holds.
 */
public final class PeerJsLoad {

    public static final String SDP = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\n" + "a=x".repeat(600);
    public static final String CANDIDATE = "candidate:842163049 1 udp 1677729535 192.0.2.10 61330 typ srflx raddr 10.0.0.5"
            + " rport 61330 generation 0 ufrag sXp9 network-cost 999";

    /** Send times are written as 18 digits (nanoseconds since start plus 10^17: no leading zero, valid JSON). */
    static final long EPOCH = System.nanoTime();
    public static final long STAMP_BASE = 100_000_000_000_000_000L;
    public static final int STAMP_DIGITS = 18;
    /** Where the stamp starts, counted from the end of a message: 18 digits, then "}}". */
    public static final int STAMP_FROM_END = STAMP_DIGITS + 2;

    /** A client message as the PeerJS client would send it, with a stamp placeholder at {@link #STAMP_FROM_END}. */
    static byte[] template(String type, String dst) {
        String stamp = "1" + "0".repeat(STAMP_DIGITS - 1);
        String payload = type.equals("CANDIDATE")
                ? "{\"candidate\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},"
                + "\"type\":\"media\",\"connectionId\":\"mc_bench\",\"t\":" + stamp + "}"
                : "{\"sdp\":{\"type\":\"" + type.toLowerCase(Locale.ROOT) + "\",\"sdp\":\"" + SDP + "\"},"
                + "\"type\":\"media\",\"connectionId\":\"mc_bench\",\"browser\":\"chrome\",\"t\":" + stamp + "}";
        // Payload last, so that the stamp sits at a fixed distance from the end here and when relayed by either server.
        return ("{\"type\":\"" + type + "\",\"dst\":\"" + dst + "\",\"payload\":" + payload + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code value} as {@link #STAMP_DIGITS} digits into {@code message} at {@code at}. */
    static void writeStamp(byte[] message, int at, long value) {
        for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
            message[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PeerJsLoad <ws://host:port/path/peerjs> [pairs=50] [window=4] [warmup-s=5]"
                    + " [measure-s=20] [server-pid]");
            System.exit(2);
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Leak sampling takes a stack trace per sampled buffer: generator CPU the servers would not get.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        URI base = URI.create(args[0]);
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Duration warmup = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 5);
        Duration measure = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 20);
        long serverPid = args.length > 5 ? Long.parseLong(args[5]) : -1;
        System.out.println(run(base, pairs, window, warmup, measure, serverPid));
    }

    static String run(URI base, int pairs, int window, Duration warmup, Duration measure, long serverPid)
            throws Exception {
        // Epoll where it loads: the generator shares the machine with the server, so its cost per message bounds
        // the rate either server can show.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Stats stats = new Stats();
        String run = Long.toString(System.nanoTime(), 36);
        try {
            List<Client> clients = new ArrayList<>();
            CountDownLatch opened = new CountDownLatch(2 * pairs);
            for (int i = 0; i < 2 * pairs; i++) {
                clients.add(new Client("b" + run + "-" + i, "b" + run + "-" + (i ^ 1), window, stats, opened));
            }
            for (Client c : clients) {
                connect(group, base, c);
            }
            if (!opened.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (2 * pairs - opened.getCount()) + " clients got OPEN");
            }
            group.next().submit(() -> clients.forEach(Client::start)).sync();
            Thread.sleep(warmup.toMillis());
            ServerSample before = ServerSample.take(serverPid);
            group.next().submit(stats::reset).sync();
            long start = System.nanoTime();
            Thread.sleep(measure.toMillis());
            Stats.Snapshot s = group.next().submit(stats::snapshot).get();
            double seconds = (System.nanoTime() - start) / 1e9;
            ServerSample after = ServerSample.take(serverPid);
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "clients=%d window=%d seconds=%.1f messages=%d msg_per_s=%.0f p50_ms=%.2f p99_ms=%.2f"
                            + " p999_ms=%.2f max_ms=%.2f", 2 * pairs, window, seconds, s.count(),
                    s.count() / seconds, s.percentileMs(0.50), s.percentileMs(0.99), s.percentileMs(0.999),
                    s.maxMs()));
            if (serverPid > 0) {
                double cpu = (after.cpuTicks() - before.cpuTicks()) / (double) ServerSample.TICKS_PER_SECOND;
                out.append(String.format(Locale.ROOT, " server_cpu_s=%.2f server_cpu_us_per_msg=%.2f"
                                + " server_rss_mb=%.1f server_sockets=%d", cpu, cpu * 1e6 / Math.max(1, s.count()),
                        after.rssKb() / 1024.0, after.sockets()));
            }
            return out.toString();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void connect(EventLoopGroup group, URI base, Client client) throws InterruptedException {
        URI uri = URI.create(base + "?key=peerjs&id=" + client.id + "&token=bench&version=1.5.5");
        client.channel = bootstrap(group, uri, 1 << 20, client).connect(uri.getHost(), uri.getPort()).sync()
                .channel();
    }

    /**
     * A WebSocket client of {@code uri} on {@code group} (epoll where it loads) that hands text frames to
     * {@code client}. No UTF-8 validation of what the servers send: the generators read only a stamp or OPEN, and
     * Netty's byte-at-a-time validator was a third of the load generator's CPU. The handshake may take 30 s: a server
     * busy with a thousand joins answers late, not never.
     */
    public static Bootstrap bootstrap(EventLoopGroup group, URI uri, int maxFrame, ChannelHandler client) {
        return new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(uri).version(WebSocketVersion.V13)
                                        .maxFramePayloadLength(maxFrame).withUTF8Validator(false)
                                        .handshakeTimeoutMillis(30_000).build()),
                                client);
                    }
                });
    }

    /** One PeerJS client; all run on the same event loop, so no field needs synchronising. */
    static final class Client extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        final String id;
        final String partner;
        final int window;
        final Stats stats;
        final CountDownLatch opened;
        Channel channel;
        long seq;
        final byte[][] templates;
        final byte[] stamp = new byte[STAMP_DIGITS];

        Client(String id, String partner, int window, Stats stats, CountDownLatch opened) {
            this.id = id;
            this.partner = partner;
            this.window = window;
            this.stats = stats;
            this.opened = opened;
            this.templates = new byte[][] {template("OFFER", partner), template("ANSWER", partner),
                    template("CANDIDATE", partner)};
        }

        void start() {
            for (int i = 0; i < window; i++) {
                send();
            }
            channel.flush();
        }

        private void send() {
            long n = seq++;
            byte[] template = templates[n % 10 == 0 ? 0 : n % 10 == 1 ? 1 : 2];
            // The templates are this client's own: stamp in place, then one copy into the frame.
            writeStamp(template, template.length - STAMP_FROM_END, System.nanoTime() - EPOCH + STAMP_BASE);
            ByteBuf buf = channel.alloc().buffer(template.length);
            buf.writeBytes(template);
            channel.write(new TextWebSocketFrame(buf));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ByteBuf in = frame.content();
            // Relayed messages end with the payload's "t":<18 digits>} and the message's closing brace.
            int at = in.writerIndex() - STAMP_FROM_END;
            if (in.readableBytes() < 64 || in.getByte(at - 1) != ':') {
                if (in.toString(StandardCharsets.UTF_8).startsWith("{\"type\":\"OPEN\"")) {
                    opened.countDown();
                } else {
                    stats.other++;
                }
                return;
            }
            in.getBytes(at, stamp);
            long sent = 0;
            for (byte digit : stamp) {
                sent = sent * 10 + (digit - '0');
            }
            stats.record(System.nanoTime() - EPOCH + STAMP_BASE - sent);
            send();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println(id + ": " + cause);
            ctx.close();
        }
    }
}
