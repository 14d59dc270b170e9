package io.kezdesu.benchmarks.peerjs;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds many idle PeerJS connections open so that a script can read what they cost the server. Connects
 * {@code connections} clients with at most {@value #IN_FLIGHT} handshakes in flight (a crowd arriving, not a SYN
 * flood), each awaiting its {@code OPEN}; a client that gets anything else first, or fails, is refused. Sources
 * rotate over 127.0.0.2 … so ephemeral ports do not run out. Every client sends a HEARTBEAT each
 * {@value #HEARTBEAT_SECONDS} s, well inside both servers' alive timeouts (60 s for the peerjs CLI, 90 s here).
 *
 * <p>Usage: {@code PeerJsHold <ws-url-of-{path}/peerjs> <connections> [sources=8] [hold-s]}. Once every client has
 * settled it prints {@code held=N refused=M seconds_to_connect=S}, then holds until stdin closes (or for
 * {@code hold-s} seconds) and prints {@code still_open=K closed_by_server=L}.
 */
public final class PeerJsHold {

    static final int IN_FLIGHT = 256;
    static final int HEARTBEAT_SECONDS = 20;
    static final byte[] HEARTBEAT = "{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.US_ASCII);

    private final Semaphore handshakes = new Semaphore(IN_FLIGHT);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();
    /** Why clients were refused: the server's first message or the failure, at most a few distinct ones. */
    private final Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
    private final CountDownLatch settled;

    private PeerJsHold(int connections) {
        this.settled = new CountDownLatch(connections);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PeerJsHold <ws://host:port/path/peerjs> <connections> [sources=8] [hold-s]");
            System.exit(2);
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        URI base = URI.create(args[0]);
        int connections = Integer.parseInt(args[1]);
        int sources = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        long holdSeconds = args.length > 3 ? Long.parseLong(args[3]) : -1;
        new PeerJsHold(connections).run(base, connections, sources, holdSeconds);
    }

    private void run(URI base, int connections, int sources, long holdSeconds) throws Exception {
        // One event-loop thread: the generator takes at most one core from the server it measures.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        String run = Long.toString(System.nanoTime(), 36);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < connections; i++) {
                handshakes.acquire();
                InetSocketAddress local = new InetSocketAddress("127.0.0." + (2 + i % sources), 0);
                connect(group, base, new Client(this, "h" + run + "-" + i), local);
            }
            while (!settled.await(5, TimeUnit.SECONDS)) {
                System.err.printf(Locale.ROOT, "  ... %d open, %d refused after %.0f s%n", open.get(),
                        refused.get(), (System.nanoTime() - t0) / 1e9);
            }
            // One print of the whole line: printf would write (and autoflush) it piece by piece, and the script
            // polling our output could read "held=" before the number.
            System.out.print(String.format(Locale.ROOT, "held=%d refused=%d seconds_to_connect=%.1f%n", open.get(),
                    refused.get(), (System.nanoTime() - t0) / 1e9));
            reasons.forEach((why, n) -> System.err.println("refused " + n + "x: " + why));
            if (holdSeconds >= 0) {
                TimeUnit.SECONDS.sleep(holdSeconds);
            } else {
                while (System.in.read() >= 0) {
                    // Held until whoever started us closes our stdin.
                }
            }
            System.out.print(String.format("still_open=%d closed_by_server=%d%n", open.get(), closedByServer.get()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void connect(EventLoopGroup group, URI base, Client client, InetSocketAddress local) {
        URI uri = URI.create(base + "?key=peerjs&id=" + client.id + "&token=t&version=1.5.5");
        PeerJsLoad.bootstrap(group, uri, 65536, client)
                .connect(new InetSocketAddress(uri.getHost(), uri.getPort()), local)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        refuse(client, f.cause().toString());
                    }
                });
    }

    /**
     * Counts each client once, as held or refused, before it lets the next handshake start (so that the counts
     * are complete when the last client settles).
     */
    private boolean settle(Client client, AtomicInteger outcome) {
        if (client.settled) {
            return false;
        }
        client.settled = true;
        outcome.incrementAndGet();
        handshakes.release();
        settled.countDown();
        return true;
    }

    private void opened(Client client) {
        settle(client, open);
    }

    private void refuse(Client client, String why) {
        if (!client.settled && (reasons.size() < 8 || reasons.containsKey(why))) {
            reasons.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
        }
        settle(client, refused);
    }

    /** One idle PeerJS client; all run on the same event loop, so its fields need no synchronising. */
    static final class Client extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        final PeerJsHold hold;
        final String id;
        boolean settled;
        boolean isOpen;
        ScheduledFuture<?> heartbeat;

        Client(PeerJsHold hold, String id) {
            this.hold = hold;
            this.id = id;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            if (settled) {
                return;
            }
            String text = frame.text();
            if (text.startsWith("{\"type\":\"OPEN\"")) {
                isOpen = true;
                hold.opened(this);
                // Timed from each client's own OPEN, so the heartbeats are spread as the connections were.
                heartbeat = ctx.executor().scheduleAtFixedRate(
                        () -> ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(HEARTBEAT))),
                        HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
            } else {
                hold.refuse(this, text.length() > 120 ? text.substring(0, 120) : text);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            if (isOpen) {
                isOpen = false;
                hold.open.decrementAndGet();
                hold.closedByServer.incrementAndGet();
            } else {
                hold.refuse(this, "closed before OPEN");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            hold.refuse(this, cause.toString());
            ctx.close();
        }
    }
}
