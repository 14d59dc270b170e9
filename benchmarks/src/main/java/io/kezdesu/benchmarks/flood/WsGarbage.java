package io.kezdesu.benchmarks.flood;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Malformed WebSocket frames and JSON messages on {@code /ws}: {@code concurrency} connections at a time, each
 * upgraded with a real login token (a few with none, a bad one, a foreign Origin or an old protocol version), then
 * sent a burst of {@link BadInput#message bad messages} and one {@link BadInput#ending ending}. Most bursts stay
 * within the socket's rate limit (bursts of 200); three in ten exceed it and should be closed with 1008. A closed
 * connection is replaced by a new one until {@code frames} frames have been written.
 *
 * <p>Usage: {@code WsGarbage --server H:P --token JWT [--frames 1000000] [--concurrency 32] [--sources 16]
 * [--source-prefix 127.4]}. Prints one line: frames written, connections, upgrade answers, the server's answers
 * by type and error code, each ending with the close code it got, connections stuck open, stack traces seen.
 */
public final class WsGarbage {

    private final InetSocketAddress server;
    private final String token;
    private final long frames;
    private final int sources;
    private final String prefix;
    private final SplittableRandom random = new SplittableRandom();
    private final BadInput bad = new BadInput(System.nanoTime());
    private final CountDownLatch done = new CountDownLatch(1);
    private EventLoopGroup group;
    private long written;
    private long connections;
    private int active;

    final Tally upgrades = new Tally();
    final Tally answers = new Tally();
    final Tally endings = new Tally();
    final Tally stuck = new Tally();
    final Tally connectFailures = new Tally();
    final LongAdder stackTraces = new LongAdder();

    private WsGarbage(Args a) {
        this.server = Loops.address(a.get("--server", null));
        this.token = a.get("--token", null);
        this.frames = Long.parseLong(a.get("--frames", "1000000"));
        this.sources = a.integer("--sources", 16);
        this.prefix = a.get("--source-prefix", "127.4");
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        new WsGarbage(a).run(a.integer("--concurrency", 32));
    }

    private void run(int concurrency) throws Exception {
        group = Loops.one();
        long t0 = System.nanoTime();
        try {
            group.execute(() -> {
                for (int i = 0; i < concurrency; i++) {
                    connect();
                }
            });
            while (!done.await(10, TimeUnit.SECONDS)) {
                System.err.printf(Locale.ROOT, "  ... %d frames, %d connections after %.0f s%n", written, connections,
                        (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        System.out.print(String.format(Locale.ROOT, "frames=%d connections=%d seconds=%.1f upgrades=%s answers=%s"
                        + " endings=%s stuck=%s connect_failures=%s stack_traces=%d%n", written, connections,
                (System.nanoTime() - t0) / 1e9, upgrades, answers, endings, stuck, connectFailures,
                stackTraces.sum()));
    }

    /** Starts one more connection if frames remain to be written; on the event loop. */
    private void connect() {
        if (written >= frames) {
            if (active == 0) {
                done.countDown();
            }
            return;
        }
        active++;
        long n = connections++;
        WsConnection c = new WsConnection(this, upgradeRequest());
        Loops.tcp(group, 5000).handler(c).connect(server, Loops.source(prefix, (int) (n % sources)))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        connectFailures.add(Tally.cause(f.cause()));
                        ended();
                    }
                });
    }

    /** A connection ended (or never started): the next one takes its place. */
    void ended() {
        active--;
        connect();
    }

    /** Writes a connection's frames into {@code out}: bad messages, then its ending, whose name it returns. */
    String plan(ByteBuf out) {
        int messages = random.nextInt(10) < 7 ? random.nextInt(1, 190) : random.nextInt(190, 400);
        for (int i = 0; i < messages; i++) {
            written += bad.message(out);
        }
        String ending = bad.ending(out);
        written += bad.endingFrames;
        return ending;
    }

    private String upgradeRequest() {
        int kind = random.nextInt(100);
        byte[] key = new byte[16];
        random.nextBytes(key);
        String t = kind == 0 ? "" : kind == 1 ? "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." : token;
        return "GET /ws" + (t.isEmpty() ? "" : "?token=" + t) + " HTTP/1.1\r\n"
                + "Host: " + server.getHostString() + ":" + server.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: " + (kind == 2 ? "8" : "13") + "\r\n"
                + (kind == 3 ? "Origin: https://evil.example\r\n" : "")
                + "\r\n";
    }
}
