package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.tls.SelfSignedCertificate;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One port for everything: with HTTPS on and {@code tls-listening-port} equal to {@code http-port}, the one listener
 * serves HTTPS and WSS, TURN over TLS and TURN over TCP, told apart by ALPN or by the first bytes; tried with curl,
 * with coturn's own client and with raw sockets.
 */
class OnePortTest {

    private static final Path UCLIENT = Path.of("/usr/bin/turnutils_uclient");
    private static final Path PEER = Path.of("/usr/bin/turnutils_peer");
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");
    private static final Pattern COUNTS = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");

    @TempDir
    Path dataDir;
    private TestDaemon daemon;
    private int port;
    private SSLContext trusted;

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> settings = Map.of("tls-self-signed", "true", "http-port", String.valueOf(port),
                "tls-listening-port", String.valueOf(port), "allow-loopback-peers", "true");
        // The certificate is generated at the first start; the client then trusts exactly it.
        Path cert = dataDir.resolve(SelfSignedCertificate.CERT_FILE);
        Daemon.start(TestDaemon.config(dataDir, settings), Daemon.Mode.ALL, "test").close();
        trusted = TestDaemon.trusting(cert);
        daemon = TestDaemon.start(dataDir, settings, Daemon.Mode.ALL,
                HttpClient.newBuilder().sslContext(trusted).build());
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void theStartupLineSaysTurnIsOnTheHttpsPortAndTheRelayBindsNoTlsPortOfItsOwn() {
        String line = daemon.daemon().startupLine();
        assertTrue(line.contains("https https://127.0.0.1:" + port), line);
        assertTrue(line.contains("tls and tcp on the https port"), line);
        assertTrue(daemon.daemon().relay().orElseThrow().tlsAddresses().isEmpty());
    }

    @Test
    void iceServersOfferTurnsOnThePortTheClientUsed() {
        String token = daemon.registerAndLogin("one@example.org", "One", "one port password");
        JsonNode ice = daemon.get("/api/ice-servers", token).json();
        List<String> urls = new ArrayList<>();
        ice.path(1).path("urls").forEach(u -> urls.add(u.asText()));
        assertTrue(urls.contains("turns:127.0.0.1:" + port + "?transport=tcp"), urls.toString());
        assertTrue(urls.stream().anyMatch(u -> u.endsWith("?transport=udp")), urls.toString());
    }

    @Test
    void curlGetsHttpsOnThePort() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is installed by ./run-tests");
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--cacert",
                dataDir.resolve(SelfSignedCertificate.CERT_FILE).toString(), "-o", "/dev/null", "-w",
                "%{http_code} %{http_version}", "https://127.0.0.1:" + port + "/healthz").redirectErrorStream(true)
                .start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS));
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // curl offers h2 and http/1.1 by ALPN: http/1.1 is chosen.
        assertEquals("200 1.1", out);
    }

    @Test
    void coturnsClientRelaysOverTlsAndOverTcpOnThatPort() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(UCLIENT) && Files.isExecutable(PEER),
                "coturn's test clients are installed by ./run-tests (scripts/install-test-deps)");
        String token = daemon.registerAndLogin("uclient@example.org", "U", "one port password");
        JsonNode turn = daemon.get("/api/ice-servers", token).json().path(1);
        int peerPort;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            peerPort = probe.getLocalPort();
        }
        Process peer = new ProcessBuilder(PEER.toString(), "-L", "127.0.0.1", "-p", String.valueOf(peerPort))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // -t -S: TLS over TCP (-S alone is DTLS); the client offers ALPN "http/1.1", "stun.turn". -s: Send
            // indications, as uclient's channel numbers are RFC 5766's (above RFC 8656's 0x4FFF).
            for (List<String> transport : List.of(List.of("-t", "-S", "-s"), List.of("-t", "-s"))) {
                List<String> command = new ArrayList<>(List.of(UCLIENT.toString()));
                command.addAll(transport);
                command.addAll(List.of("-u",
                        turn.path("username").asText(), "-w", turn.path("credential").asText(), "-e", "127.0.0.1",
                        "-r", String.valueOf(peerPort), "-p", String.valueOf(port), "-n", "20", "-m", "1", "-l",
                        "120", "-z", "5", "127.0.0.1"));
                Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
                assertTrue(client.waitFor(60, TimeUnit.SECONDS), "uclient " + transport + " finished");
                String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                Matcher lost = LOST.matcher(out);
                Matcher counts = COUNTS.matcher(out);
                assertTrue(lost.find() && counts.find(), transport + ": " + out);
                assertEquals("0", lost.group(1), out);
                assertTrue(Integer.parseInt(counts.group(1)) > 0, out);
                assertEquals(counts.group(1), counts.group(2), out);
            }
            assertEquals(200, daemon.get("/healthz", null).status(), "HTTPS still served beside TURN");
        } finally {
            peer.destroy();
            peer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void alpnStunTurnIsTurnAndHttp11IsHttp() throws Exception {
        try (SSLSocket turn = tls("stun.turn")) {
            assertEquals("stun.turn", turn.getApplicationProtocol());
            byte[] id = bindingRequest(turn.getOutputStream());
            assertBindingSuccess(turn.getInputStream(), id);
        }
        try (SSLSocket http = tls("http/1.1")) {
            assertEquals("http/1.1", http.getApplicationProtocol());
            http.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(http.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        }
    }

    @Test
    void withoutAlpnTheFirstBytesDecide() throws Exception {
        // A STUN message first, over TLS without ALPN (as browsers' TURN clients do) and over plain TCP.
        try (SSLSocket turn = tls(null)) {
            byte[] id = bindingRequest(turn.getOutputStream());
            assertBindingSuccess(turn.getInputStream(), id);
        }
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(20_000);
            byte[] id = bindingRequest(plain.getOutputStream());
            assertBindingSuccess(plain.getInputStream(), id);
        }
        // STUN's two zero bits without the magic cookie: not TURN, so HTTP, which refuses it as a bad request.
        try (SSLSocket odd = tls(null)) {
            odd.getOutputStream().write(new byte[] {0, 1, 0, 0, 1, 2, 3, 4, 'X', '\r', '\n', '\r', '\n'});
            String answer = new String(odd.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        }
        // Plain HTTP is still told to use https.
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(20_000);
            plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.endsWith("This port speaks HTTPS: use https:// instead of http:// here.\n"), answer);
        }
        assertEquals(200, daemon.get("/healthz", null).status());
    }

    private SSLSocket tls(String alpn) throws IOException {
        SSLSocket s = (SSLSocket) trusted.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        if (alpn != null) {
            SSLParameters params = s.getSSLParameters();
            params.setApplicationProtocols(new String[] {alpn});
            s.setSSLParameters(params);
        }
        s.startHandshake();
        return s;
    }

    /** Writes a STUN Binding request (RFC 8489 §5) and returns its transaction id. */
    private static byte[] bindingRequest(OutputStream out) throws IOException {
        byte[] id = new byte[12];
        new java.security.SecureRandom().nextBytes(id);
        ByteBuffer b = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442).put(id);
        out.write(b.array());
        out.flush();
        return id;
    }

    private static void assertBindingSuccess(InputStream in, byte[] id) throws IOException {
        DataInputStream data = new DataInputStream(in);
        assertEquals(0x0101, data.readUnsignedShort(), "Binding success response");
        byte[] rest = new byte[data.readUnsignedShort()];
        assertEquals(0x2112A442, data.readInt());
        byte[] echoed = new byte[12];
        data.readFully(echoed);
        assertArrayEquals(id, echoed);
        data.readFully(rest);
    }
}
