package io.kezdesu.benchmarks.flood;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A slowloris crowd on the HTTP port: {@code count} connections, each trickling a request one byte every
 * {@code interval-ms} (jittered): eight in ten never finish their headers, two in ten send whole headers of a
 * {@code POST} at once and then trickle its body. The server's {@code header-timeout} (10 s from the first byte)
 * should answer each with 408 and close it; a closed connection is replaced until {@code seconds} have passed, so the
 * crowd keeps its size. Prints how the server ended them (status, or closed unanswered), how long after the first
 * byte (p50, max), how many were still open past {@code deadline-s} + 2 s when the crowd stopped, and stack traces.
 *
 * <p>Usage: {@code Slowloris --http H:P [--count 5000] [--sources 50] [--source-prefix 127.5]
 * [--interval-ms 2000] [--seconds 30] [--deadline-s 10]}.
 */
public final class Slowloris {

    private final InetSocketAddress server;
    private final long intervalNanos;
    private final String prefix;
    private final int sources;
    private final Tally endings = new Tally();
    private final Latencies lifetimes = new Latencies();
    private final AtomicLong connections = new AtomicLong();
    private final Set<Channel> live = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile int stackTraces;
    private EventLoopGroup group;

    private Slowloris(Args a) {
        this.server = Loops.address(a.get("--http", null));
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(a.integer("--interval-ms", 2000));
        this.prefix = a.get("--source-prefix", "127.5");
        this.sources = a.integer("--sources", 50);
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        new Slowloris(a).run(a.integer("--count", 5000), a.integer("--seconds", 30), a.integer("--deadline-s", 10));
    }

    private void run(int count, int seconds, int deadlineSeconds) throws Exception {
        group = Loops.one();
        long t0 = System.nanoTime();
        Semaphore ramp = new Semaphore(500);
        try {
            for (int i = 0; i < count; i++) {
                ramp.acquire();
                connect(i).addListener(f -> ramp.release());
            }
            long left = TimeUnit.SECONDS.toNanos(seconds) - (System.nanoTime() - t0);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, left));
            stopping = true;
            long overdue = 0;
            for (Channel ch : live) {
                Slow s = ch.pipeline().get(Slow.class);
                if (s != null && s.firstByte > 0
                        && System.nanoTime() - s.firstByte > TimeUnit.SECONDS.toNanos(deadlineSeconds + 2)) {
                    overdue++;
                }
            }
            int stillOpen = live.size();
            System.out.print(String.format(Locale.ROOT, "connections=%d seconds=%.1f endings=%s %s"
                            + " open_at_stop=%d open_past_deadline=%d stack_traces=%d%n", connections.get(),
                    (System.nanoTime() - t0) / 1e9, endings, lifetimes.line("time_to_close"), stillOpen, overdue,
                    stackTraces));
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    private io.netty.channel.ChannelFuture connect(int i) {
        connections.incrementAndGet();
        return Loops.tcp(group, 5000).handler(new Slow(i)).connect(server, Loops.source(prefix, i % sources))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        endings.add("connect-failed:" + Tally.cause(f.cause()));
                    }
                });
    }

    /** One slow client; confined to the event loop. */
    private final class Slow extends ChannelInboundHandlerAdapter {
        private final int index;
        private final byte[] request;
        private int sent;
        private long firstByte;
        private final StringBuilder answer = new StringBuilder();

        Slow(int index) {
            this.index = index;
            String host = "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n";
            boolean slowBody = ThreadLocalRandom.current().nextInt(10) < 2;
            String r = slowBody
                    ? "POST /api/login HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 400"
                            + "\r\n\r\n{\"email\":\"slow@example.org\",\"password\":\"" + "p".repeat(400) + "\"}"
                    : "GET /healthz HTTP/1.1\r\n" + host + "User-Agent: slowloris\r\nX-Slow: " + "a".repeat(4000);
            this.request = r.getBytes(StandardCharsets.US_ASCII);
            // The slow body's headers go at once: only its body trickles.
            this.sent = slowBody ? r.indexOf("\r\n\r\n") + 4 : 1;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            live.add(ctx.channel());
            firstByte = System.nanoTime();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(request, 0, sent));
            trickle(ctx);
        }

        private void trickle(ChannelHandlerContext ctx) {
            long jitter = ThreadLocalRandom.current().nextLong(intervalNanos / 2 + 1);
            ctx.executor().schedule(() -> {
                if (ctx.channel().isActive() && sent < request.length) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(request, sent++, 1));
                    trickle(ctx);
                }
            }, intervalNanos * 3 / 4 + jitter, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            if (answer.length() < 4096) {
                answer.append(b.toString(StandardCharsets.ISO_8859_1));
            }
            b.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            live.remove(ctx.channel());
            if (stopping) {
                return;
            }
            lifetimes.ok(System.nanoTime() - firstByte);
            String text = answer.toString();
            if (WellBehaved.looksLikeStackTrace(text)) {
                stackTraces++;
            }
            endings.add(text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? text.substring(9, 12)
                    : text.isEmpty() ? "closed-unanswered" : "garbled");
            connect(index);
        }
    }
}
