package io.kezdesu.benchmarks.flood;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The well-behaved client that runs beside a flood: every {@code interval} an HTTP {@code GET /healthz} on a fresh
 * connection (what a newcomer sees: accept, parse, answer) and, on its own thread, a STUN Binding request over UDP.
 * Each must succeed within {@value #TIMEOUT_MILLIS} ms; a 200 whose body is not {@code {"status":"ok"}}, or any
 * answer that looks like a stack trace, is a failure.
 *
 * <p>Usage: {@code WellBehaved --http H:P --stun H:P [--source 127.9.0.1] [--stun-source 127.9.0.2]
 * [--interval-ms 100]}. Probes until stdin closes, then prints one line:
 * {@code http_ok=… http_failed=… http_p50_ms=… http_p99_ms=… http_max_ms=… stun_ok=… … stack_traces=…}.
 */
public final class WellBehaved {

    static final int TIMEOUT_MILLIS = 2000;
    private static final int MAGIC_COOKIE = 0x2112A442;

    private final Latencies http = new Latencies();
    private final Latencies stun = new Latencies();
    private volatile boolean stop;
    private volatile int stackTraces;

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        WellBehaved w = new WellBehaved();
        InetSocketAddress httpServer = Loops.address(a.get("--http", null));
        InetSocketAddress stunServer = Loops.address(a.get("--stun", null));
        String source = a.get("--source", "127.9.0.1");
        String stunSource = a.get("--stun-source", "127.9.0.2");
        long interval = Long.parseLong(a.get("--interval-ms", "100"));
        Thread h = new Thread(() -> w.every(interval, () -> w.probeHttp(httpServer, source)), "http-probe");
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(stunSource, 0));
        Thread s = new Thread(() -> w.every(interval, () -> w.probeStun(udp, stunServer)), "stun-probe");
        h.start();
        s.start();
        while (System.in.read() >= 0) {
            // Probing until whoever started us closes our stdin.
        }
        w.stop = true;
        h.join();
        s.join();
        udp.close();
        System.out.print(w.http.line("http") + " " + w.stun.line("stun") + " stack_traces=" + w.stackTraces + "\n");
    }

    private void every(long intervalMillis, Runnable probe) {
        long next = System.nanoTime();
        while (!stop) {
            probe.run();
            next += TimeUnit.MILLISECONDS.toNanos(intervalMillis);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime(); // a slow probe delays the next one; no catching up in a burst
            }
        }
    }

    private void probeHttp(InetSocketAddress server, String source) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(server, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: " + server.getHostString() + ":"
                    + server.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = readResponse(s.getInputStream(), t0);
            if (looksLikeStackTrace(answer)) {
                stackTraces++;
            }
            if (answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("{\"status\":\"ok\"}")) {
                http.ok(System.nanoTime() - t0);
            } else {
                http.failed(answer.isEmpty() ? "no-answer" : answer.substring(0, answer.indexOf('\r') < 0
                        ? Math.min(20, answer.length()) : answer.indexOf('\r')), t0);
            }
        } catch (IOException e) {
            http.failed(Tally.cause(e), t0);
        }
    }

    /** Reads one response: headers, then {@code content-length} bytes (or to the end of the stream). */
    private static String readResponse(InputStream in, long t0) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int bodyStart = -1;
        long length = -1;
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS)) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            String text = out.toString(StandardCharsets.ISO_8859_1);
            if (bodyStart < 0 && text.contains("\r\n\r\n")) {
                bodyStart = text.indexOf("\r\n\r\n") + 4;
                for (String line : text.substring(0, bodyStart).split("\r\n")) {
                    if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Long.parseLong(line.substring(15).strip());
                    }
                }
            }
            if (bodyStart >= 0 && length >= 0 && out.size() - bodyStart >= length) {
                break;
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private void probeStun(DatagramSocket udp, InetSocketAddress server) {
        byte[] tx = new byte[12];
        ThreadLocalRandom.current().nextBytes(tx);
        ByteBuffer req = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(MAGIC_COOKIE)
                .put(tx);
        long t0 = System.nanoTime();
        try {
            udp.send(new DatagramPacket(req.array(), 20, server));
            byte[] buf = new byte[1500];
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer");
                }
                udp.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                // An answer to an earlier probe that timed out is skipped: only this transaction counts.
                if (p.getLength() >= 20 && Arrays.equals(buf, 8, 20, tx, 0, 12)) {
                    if (buf[0] == 0x01 && buf[1] == 0x01) {
                        stun.ok(System.nanoTime() - t0);
                    } else {
                        stun.failed(String.format("type-0x%02x%02x", buf[0], buf[1]), t0);
                    }
                    return;
                }
            }
        } catch (IOException e) {
            stun.failed(Tally.cause(e), t0);
        }
    }

    static boolean looksLikeStackTrace(String text) {
        return text.contains("Exception") || text.contains("\tat ") || text.contains("at io.")
                || text.contains("at java.");
    }
}
