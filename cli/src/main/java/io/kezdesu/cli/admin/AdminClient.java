package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.cli.support.CliException;
import io.kezdesu.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small client of the daemon's admin API. When the daemon uses its self-signed development certificate, that
 * certificate (from the data directory) is trusted in addition to the system's.
 */
final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http;

    AdminClient(String url, String token, Optional<Path> devCertificate) {
        try {
            this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: " + url + " (expected: a URL such as http://127.0.0.1:8080)",
                    Main.USAGE);
        }
        if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new CliException("--server: " + url + " (expected: a URL such as http://127.0.0.1:8080)",
                    Main.USAGE);
        }
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        devCertificate.filter(Files::isRegularFile).filter(p -> base.getScheme().equals("https"))
                .ifPresent(p -> b.sslContext(trusting(p)));
        this.http = b.build();
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    JsonNode patch(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A GET whose body is not JSON (CSV export); errors are still JSON. */
    String getText(String path) {
        HttpResponse<byte[]> response = exchange(HttpRequest.newBuilder(base.resolve(path)).GET());
        if (response.statusCode() >= 400) {
            throw failure(response);
        }
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    JsonNode post(String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<byte[]> response = exchange(request);
        if (response.statusCode() >= 400) {
            throw failure(response);
        }
        try {
            return response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(base + " answered " + response.statusCode() + " with a body that is not JSON "
                    + "(is --server the kezdesu HTTP port?)", Main.FAILURE);
        }
    }

    private CliException failure(HttpResponse<byte[]> response) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        return new CliException(body.path("message").asText("HTTP " + response.statusCode()) + " ("
                + body.path("error").asText("error") + ")", Main.FAILURE);
    }

    private HttpResponse<byte[]> exchange(HttpRequest.Builder request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException("cannot connect to " + base + " (is the daemon running?)", Main.FAILURE);
        } catch (IOException e) {
            throw new CliException("request to " + base + " failed: " + e.getMessage(), Main.FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", Main.FAILURE);
        }
        return response;
    }

    private static SSLContext trusting(Path certificate) {
        try (InputStream in = Files.newInputStream(certificate)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("kezdesu-dev",
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new CliException("cannot read the development certificate " + certificate + ": " + e.getMessage(),
                    Main.FAILURE);
        }
    }
}
