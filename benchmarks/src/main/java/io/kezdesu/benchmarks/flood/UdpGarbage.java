package io.kezdesu.benchmarks.flood;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Datagram flood at the TURN UDP port: {@code count} datagrams from {@link Datagrams}, as fast as one thread can
 * send them, round-robin over {@code sources} loopback source addresses (127.2.0.1, …). A second thread reads
 * whatever the server answers (it should answer only the well-formed Binding requests and 401 challenges, each
 * limited per source address) and tallies the answers by STUN message type.
 *
 * <p>Usage: {@code UdpGarbage --target H:P [--count 1000000] [--sources 64] [--source-prefix 127.2]}. Prints
 * {@code sent=… seconds=… per_second=… send_errors=… bindings_sent=… answers=… answer_types={…}}.
 */
public final class UdpGarbage {

    private static final java.util.concurrent.atomic.LongAdder answerBytes = new java.util.concurrent.atomic.LongAdder();

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        InetSocketAddress target = Loops.address(a.get("--target", null));
        long count = Long.parseLong(a.get("--count", "1000000"));
        int sources = a.integer("--sources", 64);
        String prefix = a.get("--source-prefix", "127.2");
        DatagramChannel[] channels = new DatagramChannel[sources];
        Selector selector = Selector.open();
        for (int i = 0; i < sources; i++) {
            channels[i] = DatagramChannel.open();
            channels[i].setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channels[i].bind(Loops.source(prefix, i));
            channels[i].connect(target);
            channels[i].configureBlocking(false);
            channels[i].register(selector, SelectionKey.OP_READ);
        }
        Tally answers = new Tally();
        Thread reader = new Thread(() -> readAnswers(selector, answers), "answers");
        reader.setDaemon(true);
        reader.start();

        Datagrams garbage = new Datagrams(System.nanoTime());
        ByteBuffer buf = ByteBuffer.allocateDirect(Datagrams.MAX);
        Tally sendErrors = new Tally();
        long t0 = System.nanoTime();
        long bytes = 0;
        for (long i = 0; i < count; i++) {
            garbage.next(buf);
            bytes += buf.remaining();
            DatagramChannel ch = channels[(int) (i % sources)];
            try {
                while (ch.write(buf) == 0 && buf.hasRemaining()) {
                    Thread.onSpinWait(); // our socket's send buffer is full: wait, don't drop on our side
                }
            } catch (IOException e) {
                sendErrors.add(Tally.cause(e)); // e.g. ICMP port unreachable if the server's socket is gone
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        TimeUnit.MILLISECONDS.sleep(500); // answers still on their way
        reader.interrupt();
        System.out.print(String.format(Locale.ROOT,
                "sent=%d seconds=%.1f per_second=%.0f send_errors=%d send_error_causes=%s bytes_sent=%d"
                        + " bindings_sent=%d answers=%d answer_bytes=%d answer_types=%s%n", count, seconds,
                count / seconds, sendErrors.total(), sendErrors, bytes, garbage.bindings, answers.total(),
                answerBytes.sum(), answers));
        for (DatagramChannel ch : channels) {
            ch.close();
        }
    }

    private static void readAnswers(Selector selector, Tally answers) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    buf.clear();
                    while (true) {
                        try {
                            if (ch.receive(buf) == null) {
                                break;
                            }
                        } catch (IOException e) {
                            answers.add("receive-error");
                            break;
                        }
                        buf.flip();
                        answerBytes.add(buf.remaining());
                        answers.add(buf.remaining() >= 2 ? String.format("0x%04x", buf.getShort(0) & 0xFFFF)
                                : "short");
                        buf.clear();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // the flood is over
        }
    }
}
