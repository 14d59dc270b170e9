package io.kezdesu.benchmarks.relay;

import io.kezdesu.benchmarks.ServerSample;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * STUN Binding requests at a fixed offered rate against any STUN server over UDP (ours or coturn's), open loop:
 * requests go out on schedule whether or not earlier ones were answered, so both servers get the same load.
 *
 * <p>The requests come from {@code --sockets} client sockets spread over as many loopback source addresses
 * (127.3.0.0 onwards): a server that answers a limited number of Bindings per second to one source address (kezdesu:
 * {@code binding-per-second}, 100 by default) is measured at its work, not at that limit, as long as
 * rate / sockets stays below it. Each request is a plain RFC 8489 Binding (20-byte header, random transaction id);
 * a success response (0x0101) counts as an answer.
 *
 * <p>Prints one line of {@code key=value} pairs for the measured window (after the warm-up): requests sent, answers,
 * answers per second, and with {@code --pid} the server's CPU over the window (utime+stime from /proc) and per answer.
 *
 * <pre>
 * java -cp ... io.kezdesu.benchmarks.relay.BindingLoad --server 127.0.0.1:3478 [--rate 20000] [--sockets 1024]
 *      [--seconds 10] [--warmup 3] [--pid server-pid]
 * </pre>
 */
public final class BindingLoad {

    private static final int TICK_NANOS = 1_000_000;

    private BindingLoad() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = null;
        int rate = 20_000;
        int sockets = 1024;
        double seconds = 10;
        double warmup = 3;
        long pid = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--server" -> {
                    String[] hp = args[++i].split(":");
                    server = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
                }
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--sockets" -> sockets = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> warmup = Double.parseDouble(args[++i]);
                case "--pid" -> pid = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (server == null) {
            System.err.println("usage: BindingLoad --server HOST:PORT [--rate R] [--sockets N] [--seconds S]"
                    + " [--warmup S] [--pid P]");
            System.exit(2);
        }
        Selector selector = Selector.open();
        List<DatagramChannel> channels = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            DatagramChannel ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ch.bind(new InetSocketAddress(InetAddress.getByAddress(
                    new byte[] {127, 3, (byte) (i >> 8), (byte) (i & 0xff)}), 0));
            ch.connect(server);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            channels.add(ch);
        }
        ByteBuffer request = ByteBuffer.allocate(20);
        ByteBuffer in = ByteBuffer.allocate(2048);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        long drainUntil = end + 500_000_000L;
        long due = 0;
        long sent = 0;
        long answered = 0;
        long sendErrors = 0;
        long measuredSent = 0;
        long measuredAnswered = 0;
        ServerSample cpu0 = null;
        int next = 0;
        long lastTick = start;
        while (true) {
            long now = System.nanoTime();
            if (cpu0 == null && now >= measureFrom) {
                cpu0 = ServerSample.take(pid);
                measuredSent = sent;
                measuredAnswered = answered;
            }
            if (now >= drainUntil) {
                break;
            }
            if (now < end && now - lastTick >= TICK_NANOS) {
                // Open loop: whatever the schedule says is due by now goes out, answered or not.
                long shouldHave = (now - start) * rate / 1_000_000_000L;
                while (due < shouldHave) {
                    request.clear();
                    request.putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442)
                            .putLong(random.nextLong()).putInt(random.nextInt()).flip();
                    try {
                        channels.get(next).write(request);
                        sent++;
                    } catch (IOException e) {
                        sendErrors++;
                    }
                    next = (next + 1) % channels.size();
                    due++;
                }
                lastTick = now;
            }
            selector.selectNow();
            for (SelectionKey key : selector.selectedKeys()) {
                DatagramChannel ch = (DatagramChannel) key.channel();
                while (true) {
                    in.clear();
                    int n;
                    try {
                        n = ch.read(in);
                    } catch (IOException e) {
                        break;
                    }
                    if (n <= 0) {
                        break;
                    }
                    if (n >= 20 && in.get(0) == 0x01 && in.get(1) == 0x01) {
                        answered++;
                    }
                }
            }
            selector.selectedKeys().clear();
            if (System.nanoTime() - lastTick < TICK_NANOS / 2) {
                selector.select(1);
            }
        }
        // The window's answers include those of requests sent in it that came back during the short drain.
        ServerSample cpu1 = ServerSample.take(pid);
        ServerSample first = cpu0 == null ? cpu1 : cpu0;
        long windowSent = sent - measuredSent;
        long windowAnswered = answered - measuredAnswered;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "offered_per_s=%d sockets=%d seconds=%.1f sent=%d answered=%d answered_per_s=%.0f unanswered_pct=%.2f"
                        + " send_errors=%d",
                rate, sockets, seconds, windowSent, windowAnswered, windowAnswered / seconds,
                windowSent == 0 ? 0 : 100.0 * (windowSent - windowAnswered) / windowSent, sendErrors));
        if (pid > 0) {
            double cpu = (cpu1.cpuTicks() - first.cpuTicks()) / (double) ServerSample.TICKS_PER_SECOND;
            out.append(String.format(Locale.ROOT, " server_cpu_s=%.2f server_cpu_us_per_answer=%.2f"
                            + " answers_per_cpu_s=%.0f server_rss_mb=%.1f",
                    cpu, windowAnswered == 0 ? 0 : cpu * 1e6 / windowAnswered,
                    cpu == 0 ? 0 : windowAnswered / cpu, cpu1.rssKb() / 1024.0));
        }
        System.out.println(out);
        for (DatagramChannel ch : channels) {
            ch.close();
        }
    }
}
