package io.kezdesu.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.tls.SelfSignedCertificate;
import io.kezdesu.common.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewed certificate is served without a restart, by HTTPS and by TURN over TLS, to new connections; open ones
 * go on; a renewal that cannot be read leaves the previous certificate in use. The same through SIGHUP, to the daemon
 * as a real process.
 */
class CertificateReloadTest {

    @TempDir
    Path tmp;

    @Test
    void aRenewedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
        Pairs pairs = pairs();
        TlsFiles first = pairs.first();
        TlsFiles second = pairs.second();
        Path cert = pairs.cert();
        Path key = pairs.key();
        Path data = Files.createDirectory(tmp.resolve("data"));
        try (Daemon d = Daemon.start(TestDaemon.config(data, Map.of("tls-cert", cert.toString(), "tls-key",
                key.toString())), Daemon.Mode.ALL, "test")) {
            InetSocketAddress https = d.signaling().orElseThrow().address();
            InetSocketAddress turns = d.relay().orElseThrow().tlsAddresses().get(0);
            byte[] a = der(first);
            assertArrayEquals(a, served(https));
            assertArrayEquals(a, served(turns));
            assertFalse(d.reloadCertificates(false), "nothing changed yet");

            try (SSLSocket open = connect(https)) {
                // Renewed as certbot does it: new files moved into place.
                install(second, cert, key);
                assertTrue(d.reloadCertificates(false));
                byte[] b = der(second);
                assertArrayEquals(b, served(https));
                assertArrayEquals(b, served(turns));
                assertTrue(ask(open).startsWith("HTTP/1.1 200 "), "a connection opened before goes on");
            }

            // A renewal half written (a key that is not one): the previous certificate stays.
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
            assertFalse(d.reloadCertificates(false));
            assertArrayEquals(der(second), served(https));
        }
    }

    /**
     * {@code kill -HUP} (systemd's ExecReload, certbot's deploy hook) makes a running daemon read its certificate
     * again at once, changed or not; a renewal that cannot be read leaves the previous certificate in use. Each step
     * waits for the daemon's own answer to the signal, which the minute's check on its own never prints.
     */
    @Test
    void aSighupReadsTheCertificateAgain() throws Exception {
        Pairs pairs = pairs();
        TlsFiles first = pairs.first();
        TlsFiles second = pairs.second();
        Path cert = pairs.cert();
        Path key = pairs.key();
        DaemonProcess d = DaemonProcess.start(Files.createDirectory(tmp.resolve("data")), "--tls-cert",
                cert.toString(), "--tls-key", key.toString());
        try {
            InetSocketAddress https = new InetSocketAddress("127.0.0.1", d.port);
            assertArrayEquals(der(first), served(https));

            install(second, cert, key);
            hangUp(d);
            d.awaitOutput(Pattern.compile("SIGHUP: certificate reloaded"), 30);
            assertArrayEquals(der(second), served(https));

            // Unchanged files: read again all the same (a SIGHUP forces it).
            hangUp(d);
            d.awaitOutput(Pattern.compile("SIGHUP: certificate reloaded"), 30);

            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
            hangUp(d);
            d.awaitOutput(Pattern.compile("SIGHUP: no certificate reloaded"), 30);
            assertArrayEquals(der(second), served(https), "the previous certificate stays");
            assertTrue(d.process.isAlive(), "the daemon goes on");
        } finally {
            d.process.destroyForcibly().waitFor();
        }
    }

    private static void hangUp(DaemonProcess d) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(d.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    /** Two certificate pairs, and the files the daemon is pointed at (the first pair installed there). */
    private record Pairs(TlsFiles first, TlsFiles second, Path cert, Path key) {
    }

    private Pairs pairs() throws Exception {
        TlsFiles first = SelfSignedCertificate.ensure(DataDirectory.open(Files.createDirectory(tmp.resolve("a"))));
        TlsFiles second = SelfSignedCertificate.ensure(DataDirectory.open(Files.createDirectory(tmp.resolve("b"))));
        Path live = Files.createDirectory(tmp.resolve("live"));
        Pairs pairs = new Pairs(first, second, live.resolve("fullchain.pem"), live.resolve("privkey.pem"));
        install(first, pairs.cert(), pairs.key());
        return pairs;
    }

    private static void install(TlsFiles from, Path cert, Path key) throws Exception {
        for (Path[] p : new Path[][] {{from.certificate(), cert}, {from.privateKey(), key}}) {
            Path next = p[1].resolveSibling(p[1].getFileName() + ".new");
            Files.copy(p[0], next, StandardCopyOption.REPLACE_EXISTING);
            Files.move(next, p[1], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static byte[] der(TlsFiles files) throws Exception {
        try (var in = Files.newInputStream(files.certificate())) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        }
    }

    /** The certificate a new TLS connection to {@code at} is shown. */
    private static byte[] served(InetSocketAddress at) throws Exception {
        try (SSLSocket s = connect(at)) {
            return s.getSession().getPeerCertificates()[0].getEncoded();
        }
    }

    private static SSLSocket connect(InetSocketAddress at) throws Exception {
        // Trusts anything: this test compares the certificate shown, it does not need the handshake to judge it.
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", at.getPort());
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    private static String ask(SSLSocket s) throws Exception {
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
}
