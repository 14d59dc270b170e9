package io.kezdesu.cli.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A daemon started in-process on ephemeral loopback ports, with a small HTTP client for tests. */
public final class TestDaemon implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Daemon daemon;
    private final String base;
    private final Client client;

    private TestDaemon(Daemon daemon, HttpClient http) {
        this.daemon = daemon;
        this.base = "http" + (daemon.signaling().orElseThrow().isTls() ? "s" : "") + "://127.0.0.1:"
                + daemon.signaling().orElseThrow().address().getPort();
        this.client = new Client(base, http);
    }

    /** Starts signaling with the given data directory and extra settings (flag names without dashes). */
    public static TestDaemon start(Path dataDir, Map<String, String> settings) {
        return start(dataDir, settings, Daemon.Mode.SIGNALING, HttpClient.newHttpClient());
    }

    public static TestDaemon start(Path dataDir, Map<String, String> settings, Daemon.Mode mode, HttpClient client) {
        return new TestDaemon(Daemon.start(config(dataDir, settings), mode, "test"), client);
    }

    public static Config config(Path dataDir, Map<String, String> settings) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        flags.put("data-dir", List.of(dataDir.toString()));
        flags.put("http-ip", List.of("127.0.0.1"));
        flags.put("http-port", List.of("0"));
        flags.put("listening-ip", List.of("127.0.0.1"));
        flags.put("listening-port", List.of("0"));
        flags.put("tls-listening-port", List.of("0"));
        settings.forEach((k, v) -> flags.put(k, List.of(v)));
        return ConfigLoader.load(Optional.empty(), Map.of(), flags);
    }

    /** A TLS context that trusts exactly {@code cert} (the daemon's self-signed development certificate). */
    public static javax.net.ssl.SSLContext trusting(Path cert) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        ks.load(null, null);
        try (java.io.InputStream in = Files.newInputStream(cert)) {
            ks.setCertificateEntry("dev",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    public Daemon daemon() {
        return daemon;
    }

    public String base() {
        return base;
    }

    public Response get(String path, String bearer) {
        return client.get(path, bearer);
    }

    public Response post(String path, Object json, String bearer) {
        return client.post(path, json, bearer);
    }

    public Response patch(String path, Object json, String bearer) {
        return client.patch(path, json, bearer);
    }

    public Response raw(String method, String path, String contentType, byte[] body) {
        return client.raw(method, path, contentType, body);
    }

    public String registerAndLogin(String email, String name, String password) {
        return client.registerAndLogin(email, name, password);
    }

    public Response login(String email, String password) {
        return client.login(email, password);
    }

    @Override
    public void close() {
        daemon.close();
    }

    /** A JSON-over-HTTP client of one base URL. */
    public static final class Client implements AutoCloseable {
        private final String base;
        private final HttpClient http;

        public Client(String base) {
            this(base, HttpClient.newHttpClient());
        }

        Client(String base, HttpClient http) {
            this.base = base;
            this.http = http;
        }

        public Response post(String path, Object json) {
            return post(path, json, null);
        }

        public Response get(String path, String bearer) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), bearer);
        }

        public Response post(String path, Object json, String bearer) {
            return send(jsonBody(HttpRequest.newBuilder(URI.create(base + path)), "POST", json), bearer);
        }

        public Response patch(String path, Object json, String bearer) {
            return send(jsonBody(HttpRequest.newBuilder(URI.create(base + path)), "PATCH", json), bearer);
        }

        public Response raw(String method, String path, String contentType, byte[] body) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            return send(b, null);
        }

        /** Registers and logs in; returns the token. */
        public String registerAndLogin(String email, String name, String password) {
            Response r = post("/api/register", Map.of("email", email, "name", name, "password", password), null);
            if (r.status() != 201) {
                throw new AssertionError("register: " + r);
            }
            return login(email, password).json().path("token").asText();
        }

        public Response login(String email, String password) {
            return post("/api/login", Map.of("email", email, "password", password), null);
        }

        private static HttpRequest.Builder jsonBody(HttpRequest.Builder b, String method, Object json) {
            try {
                return b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(json)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private Response send(HttpRequest.Builder b, String bearer) {
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            try {
                HttpResponse<byte[]> r = http.send(b.timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                JsonNode body = r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
                return new Response(r.statusCode(), body, r.headers().map());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }


        @Override
        public void close() {
            // java.net.http.HttpClient is closeable only from Java 21 on; nothing to release before that.
        }
    }

    /** A response with its JSON body. */
    public record Response(int status, JsonNode json, Map<String, List<String>> headers) {
        public String error() {
            return json.path("error").asText();
        }

        public String message() {
            return json.path("message").asText();
        }

        public Optional<String> header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return Optional.of(e.getValue().get(0));
                }
            }
            return Optional.empty();
        }

        static List<String> list(String... s) {
            return new ArrayList<>(List.of(s));
        }
    }
}
