package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import io.kezdesu.common.tls.SelfSignedCertificate;
import io.kezdesu.common.config.ConfigException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonLifecycleTest {

    @TempDir
    Path dataDir;

    @Test
    void accountsSurviveARestart() {
        try (TestDaemon first = TestDaemon.start(dataDir, Map.of())) {
            first.registerAndLogin("persist@example.org", "P", "persisted password");
        }
        try (TestDaemon second = TestDaemon.start(dataDir, Map.of())) {
            TestDaemon.Response login = second.login("persist@example.org", "persisted password");
            assertEquals(200, login.status(), login::toString);
        }
    }

    @Test
    void startupLineNamesTheBoundAddressesAndDaemonFileTellsTheCli() throws Exception {
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of())) {
            int port = d.daemon().signaling().orElseThrow().address().getPort();
            assertTrue(port > 0);
            String line = d.daemon().startupLine();
            assertTrue(line.contains("http http://127.0.0.1:" + port), line);
            assertTrue(line.contains("data-dir " + dataDir.toAbsolutePath()), line);
            assertTrue(line.contains("store embedded store"), line);
            Path file = dataDir.resolve(DaemonFile.NAME);
            assertEquals("http://127.0.0.1:" + port, DaemonFile.readUrl(dataDir).orElseThrow());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertFalse(Files.exists(dataDir.resolve(DaemonFile.NAME)), "removed on shutdown");
    }

    @Test
    void readinessReportsAnUnreachableStore() {
        MongoServer mongo = new MongoServer(H2Backend.inMemory());
        InetSocketAddress a = mongo.bind();
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("mongo-uri",
                "mongodb://127.0.0.1:" + a.getPort() + "/?serverSelectionTimeoutMS=500&connectTimeoutMS=500"))) {
            assertEquals(200, d.get("/readyz", null).status());
            mongo.shutdownNow();
            TestDaemon.Response notReady = d.get("/readyz", null);
            assertEquals(503, notReady.status(), notReady::toString);
            assertEquals("not-ready", notReady.error());
            assertTrue(notReady.message().startsWith("store unreachable: "), notReady::toString);
            // In words (the connection lost, then no server in time), not the driver's exception class.
            assertFalse(notReady.message().contains("Exception"), notReady::toString);
            TestDaemon.Response again = d.get("/readyz", null);
            assertEquals(503, again.status(), again::toString);
            assertFalse(again.message().contains("Exception"), again::toString);
            assertEquals(200, d.get("/healthz", null).status(), "the process itself is up");
        }
    }

    @Test
    void failedLoginsFromOneAddressAreThrottledAcrossAccounts() {
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("login-failures-per-ip", "2"))) {
            assertEquals(401, d.login("nobody1@example.org", "whatever1").status());
            assertEquals(401, d.login("nobody2@example.org", "whatever2").status());
            TestDaemon.Response limited = d.login("nobody3@example.org", "whatever3");
            assertEquals(429, limited.status());
            assertTrue(limited.header("Retry-After").isPresent());
        }
    }

    @Test
    void closedRegistrationIsRefused() {
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("allow-registration", "false"))) {
            TestDaemon.Response r = d.post("/api/register",
                    Map.of("email", "a@example.org", "name", "A", "password", "12345678"), null);
            assertEquals(403, r.status());
            assertEquals("registration-closed", r.error());
        }
    }

    @Test
    void selfSignedDevelopmentCertificateServesHttps() throws Exception {
        // First start generates the certificate; the client then trusts exactly that certificate.
        Path cert = dataDir.resolve(SelfSignedCertificate.CERT_FILE);
        try (TestDaemon boot = TestDaemon.start(dataDir, Map.of("tls-self-signed", "true"), Daemon.Mode.SIGNALING,
                HttpClient.newHttpClient())) {
            assertTrue(boot.base().startsWith("https://"));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dataDir.resolve(SelfSignedCertificate.KEY_FILE))));
        byte[] before = Files.readAllBytes(cert);
        try (TestDaemon d = TestDaemon.start(dataDir, Map.of("tls-self-signed", "true"), Daemon.Mode.SIGNALING,
                HttpClient.newBuilder().sslContext(TestDaemon.trusting(cert)).build())) {
            TestDaemon.Response health = d.get("/healthz", null);
            assertEquals(200, health.status());
            // HTTPS answers tell the browser to stay on HTTPS (RFC 6797).
            assertEquals("max-age=31536000", health.header("Strict-Transport-Security").orElse(""));
            assertEquals(201, d.post("/api/register",
                    Map.of("email", "tls@example.org", "name", "T", "password", "12345678"), null).status());
            // Plain HTTP to the HTTPS port: a plain answer that says so, not a connection closed without a word.
            URI base = URI.create(d.base());
            try (java.net.Socket plain = new java.net.Socket(base.getHost(), base.getPort())) {
                plain.setSoTimeout(10_000);
                plain.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(plain.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.US_ASCII);
                assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), answer);
                assertTrue(answer.endsWith("This port speaks HTTPS: use https:// instead of http:// here.\n"), answer);
            }
            assertEquals(200, d.get("/healthz", null).status(), "TLS still served after a plain attempt");
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(cert)), "the certificate is reused");
    }

    @Test
    void theStartupLineWritesIpv6AddressesShort() {
        try (Daemon d = Daemon.start(TestDaemon.config(dataDir, Map.of("http-ip", "::1", "listening-ip", "::1")),
                Daemon.Mode.ALL, "test")) {
            String line = d.startupLine();
            assertTrue(line.contains("http http://[::1]:"), line);
            assertTrue(line.contains("turn udp [::1]:"), line);
            assertFalse(line.contains("0:0:0:0"), line);
        }
    }

    @Test
    void configuredCertificateMustBeReadable() {
        ConfigException e = assertThrows(ConfigException.class, () -> TestDaemon.start(dataDir,
                Map.of("tls-cert", "/nonexistent/cert.pem", "tls-key", "/nonexistent/key.pem")));
        assertTrue(e.getMessage().startsWith("tls-cert: /nonexistent/cert.pem (expected: a readable PEM file"),
                e.getMessage());
    }

    @Test
    void anHttpPortInUseIsNamedWithItsAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestDaemon.start(dataDir,
                    Map.of("http-port", String.valueOf(taken.getLocalPort()))));
            assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("Address already in use"), e.getMessage());
        }
    }

    @Test
    void anUnreachableMongoDbIsOneLineWithoutThePassword() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestDaemon.start(dataDir,
                Map.of("mongo-uri", "mongodb://kez:s3cret-pw@127.0.0.1:" + closed
                        + "/?serverSelectionTimeoutMS=300&connectTimeoutMS=300"), Daemon.Mode.SIGNALING,
                HttpClient.newHttpClient()));
        assertEquals("cannot reach MongoDB at 127.0.0.1:" + closed + "/kezdesu: Connection refused", e.getMessage(),
                () -> String.valueOf(e.getCause()));
    }
}
