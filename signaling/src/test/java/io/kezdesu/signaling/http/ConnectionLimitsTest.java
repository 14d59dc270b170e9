package io.kezdesu.signaling.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.ratelimit.ConnectionBudget;
import io.kezdesu.signaling.SignalingFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slow requests and connection floods from one address, against the real server on loopback. */
class ConnectionLimitsTest {

    private static final byte[] HEALTH = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void aRequestTrickledInAHeaderLineAtATimeGets408AndIsClosed(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("header-timeout", "2s"));
             Socket s = new Socket("127.0.0.1", f.server.address().getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // A header line every 200 ms: every byte used to reset the idle timer, so this could go on for ever.
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 100 && !stop.get(); i++) {
                        out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(200); // the attacker's pace, not a wait for the server
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server closed the connection: what the test expects
                }
            });
            trickle.start();
            try {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
                assertTrue(answer.contains("\"request-timeout\""), answer);
            } finally {
                stop.set(true);
                trickle.join();
            }
        }
    }

    @Test
    void oneAddressHoldsAtMostItsConnectionsAndGetsThemBackWhenClosed(@TempDir Path dir) throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("connections-per-ip", "3"))) {
            int port = f.server.address().getPort();
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(20_000);
                    held.add(s);
                    assertTrue(ask(s).startsWith("HTTP/1.1 200 "));
                }
                try (Socket fourth = new Socket("127.0.0.1", port)) {
                    fourth.setSoTimeout(20_000);
                    assertEquals("", askAndReadToEnd(fourth), "the fourth is closed without an answer");
                }
                held.remove(0).close();
                // Closing one gives its place back (the server notices the close on its own time).
                String again = "";
                for (int i = 0; i < 200 && again.isEmpty(); i++) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        s.setSoTimeout(20_000);
                        again = askAndReadToEnd(s);
                    }
                }
                assertTrue(again.startsWith("HTTP/1.1 200 "), again);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedWithoutAnAnswerAfterTheHeaderTimeout(@TempDir Path dir)
            throws Exception {
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("header-timeout", "1s"));
             Socket s = new Socket("127.0.0.1", f.server.address().getPort())) {
            // Silent connections used to be held for the whole idle timeout (120 s), a descriptor each.
            s.setSoTimeout(20_000);
            assertEquals(-1, s.getInputStream().read(), "closed, nothing sent");
            // The connection's place is back: a new one is answered.
            try (Socket next = new Socket("127.0.0.1", f.server.address().getPort())) {
                next.setSoTimeout(20_000);
                assertTrue(askAndReadToEnd(next).startsWith("HTTP/1.1 200 "));
            }
        }
    }

    @Test
    void theProcessHoldsAtMostMaxConnectionsWhenEveryOneIsInUse(@TempDir Path dir) throws Exception {
        // Only max-connections stops a crowd of many addresses, each under connections-per-ip, before the
        // descriptors run out (20,000 did that: the server then answered nobody). WebSockets are always in use.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("max-connections", "3"))) {
            int port = f.server.address().getPort();
            List<io.kezdesu.signaling.RawWebSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(io.kezdesu.signaling.RawWebSocket.connect(port, "/ws?token=" + f.user("U" + i).token()));
                }
                try (Socket fourth = from("127.0.0.9", port)) {
                    assertEquals("", askAndReadToEnd(fourth), "the fourth is closed without an answer");
                }
                held.remove(0).close();
                String again = "";
                for (int i = 0; i < 200 && again.isEmpty(); i++) {
                    try (Socket s = from("127.0.0.10", port)) {
                        again = askAndReadToEnd(s);
                    }
                }
                assertTrue(again.startsWith("HTTP/1.1 200 "), again);
            } finally {
                for (io.kezdesu.signaling.RawWebSocket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void whenTheBudgetIsSpentANewClientReplacesTheOldestIdleConnection(@TempDir Path dir) throws Exception {
        // A crowd of connections that send nothing used to keep every new client out until they timed out.
        ConnectionBudget budget = new ConnectionBudget(2);
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of(), budget)) {
            int port = f.server.address().getPort();
            try (Socket one = from("127.0.0.2", port); Socket two = from("127.0.0.3", port)) {
                // Both idle ones must be the server's before the client comes: each event loop takes its channels
                // in order, but two loops need not (a loop's thread starts with its first channel), and the client
                // could otherwise be served and gone before the second idle one was counted at all.
                awaitHeld(budget, 2);
                try (Socket client = from("127.0.0.4", port)) {
                    assertTrue(askAndReadToEnd(client).startsWith("HTTP/1.1 200 "), "the new client is served");
                }
                // One of the two idle ones made room (the older; which one the server saw first is its business),
                // the other is still served.
                List<String> answers = List.of(askAndReadToEnd(one), askAndReadToEnd(two));
                assertEquals(1, answers.stream().filter(String::isEmpty).count(), answers.toString());
                assertEquals(1, answers.stream().filter(a -> a.startsWith("HTTP/1.1 200 ")).count(),
                        answers.toString());
            }
        }
    }

    @Test
    void aKeepAliveConnectionBetweenRequestsMakesRoomTooLeastRecentlyUsedFirst(@TempDir Path dir) throws Exception {
        // One request, then silence: such a connection used to count as busy until its 120 s idle timeout.
        try (SignalingFixture f = SignalingFixture.start(dir, Map.of("max-connections", "2"))) {
            int port = f.server.address().getPort();
            try (Socket older = from("127.0.0.2", port); Socket newer = from("127.0.0.3", port)) {
                assertTrue(ask(older).startsWith("HTTP/1.1 200 "));
                assertTrue(ask(newer).startsWith("HTTP/1.1 200 "));
                try (Socket client = from("127.0.0.4", port)) {
                    assertTrue(askAndReadToEnd(client).startsWith("HTTP/1.1 200 "), "the new client is served");
                }
                assertEquals("", askAndReadToEnd(older), "the connection waiting longest made room");
                assertTrue(ask(newer).startsWith("HTTP/1.1 200 "), "the other is still served");
            }
        }
    }

    private static void awaitHeld(ConnectionBudget budget, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (budget.held() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server holds " + budget.held() + " connections, expected " + n);
            }
            Thread.sleep(1);
        }
    }

    private static Socket from(String localAddress, int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port, java.net.InetAddress.getByName(localAddress), 0);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String ask(Socket s) throws IOException {
        s.getOutputStream().write(HEALTH);
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n = in.read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** One request with Connection: close; what came back, "" when the server closed without answering. */
    private static String askAndReadToEnd(Socket s) throws IOException {
        try {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (SocketException reset) {
            return "";
        }
    }
}
