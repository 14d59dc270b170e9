package io.kezdesu.benchmarks.flood;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crowd of idle TCP connections: {@code count} connections, alternately to the HTTP port and the TURN TCP port,
 * that send nothing. Each loopback source address (127.3.0.1 … from {@code source-offset}) opens at most
 * {@code per-address} to each port, below {@code connections-per-ip} (500), so what stops the crowd is the server's
 * descriptors, not its per-address limit. At most {@code in-flight} connects are pending at once; a connect the
 * server's full accept queue leaves unanswered fails after {@code connect-timeout-ms}. Once every connect has
 * settled the crowd holds for {@code hold} seconds, then closes, and prints what it held, what failed to connect
 * and how long the connections the server closed had lived.
 *
 * <p>Usage: {@code IdleCrowd --http H:P --turn H:P --count N [--source-offset 0] [--per-address 200]
 * [--hold 65] [--in-flight 2000] [--connect-timeout-ms 3000]}.
 */
public final class IdleCrowd {

    private static final String[] KINDS = {"http", "turn"};
    private final AtomicInteger[] connected = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger[] open = {new AtomicInteger(), new AtomicInteger()};
    private final Tally failed = new Tally();
    private final Tally closedByServer = new Tally();
    private volatile boolean closing;

    public static void main(String[] args) throws Exception {
        new IdleCrowd().run(new Args(args));
    }

    private void run(Args a) throws Exception {
        InetSocketAddress[] targets = {Loops.address(a.get("--http", null)), Loops.address(a.get("--turn", null))};
        int count = a.integer("--count", 10_000);
        int offset = a.integer("--source-offset", 0);
        int perAddress = a.integer("--per-address", 200);
        int hold = a.integer("--hold", 65);
        Semaphore inFlight = new Semaphore(a.integer("--in-flight", 2000));
        int timeout = a.integer("--connect-timeout-ms", 3000);
        CountDownLatch settled = new CountDownLatch(count);
        EventLoopGroup group = Loops.one();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                int kind = i % 2;
                inFlight.acquire();
                InetSocketAddress source = Loops.source("127.3", offset + i / 2 / perAddress);
                Loops.tcp(group, timeout).handler(new Idle(kind)).connect(targets[kind], source).addListener(f -> {
                    if (f.isSuccess()) {
                        connected[kind].incrementAndGet();
                    } else {
                        failed.add(KINDS[kind] + ":" + Tally.cause(f.cause()));
                    }
                    inFlight.release();
                    settled.countDown();
                });
            }
            settled.await();
            double settleSeconds = (System.nanoTime() - t0) / 1e9;
            System.err.printf(Locale.ROOT, "  settled after %.1f s: %d http + %d turn connected, failed %s%n",
                    settleSeconds, connected[0].get(), connected[1].get(), failed);
            for (int s = 0; s < hold; s += 5) {
                TimeUnit.SECONDS.sleep(Math.min(5, hold - s));
                System.err.printf("  +%d s: %d http + %d turn open%n", s + 5, open[0].get(), open[1].get());
            }
            closing = true;
            System.out.print(String.format(Locale.ROOT, "attempted=%d seconds_to_settle=%.1f connected_http=%d"
                            + " connected_turn=%d failed=%s closed_by_server=%s open_at_end_http=%d"
                            + " open_at_end_turn=%d%n", count, settleSeconds, connected[0].get(), connected[1].get(),
                    failed, closedByServer, open[0].get(), open[1].get()));
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /** One idle connection: counts itself open, and when the server (not we) closes it, how long it lived. */
    private final class Idle extends ChannelInboundHandlerAdapter {
        private final int kind;
        private long opened;

        Idle(int kind) {
            this.kind = kind;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            opened = System.nanoTime();
            open[kind].incrementAndGet();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            closedByServer.add(KINDS[kind] + ":sent-data"); // an idle connection should get nothing but a close
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open[kind].decrementAndGet();
            if (!closing) {
                double lived = (System.nanoTime() - opened) / 1e9;
                closedByServer.add(KINDS[kind] + ":" + (lived < 1 ? "<1s" : lived < 10 ? "1-10s" : lived < 50
                        ? "10-50s" : lived < 70 ? "50-70s" : lived < 130 ? "70-130s" : ">130s"));
            }
        }
    }
}
