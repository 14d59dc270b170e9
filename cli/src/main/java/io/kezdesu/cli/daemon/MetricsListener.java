package io.kezdesu.cli.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code metrics-port}: plain-HTTP {@code GET /metrics} and {@code GET /healthz} for a process without the signaling
 * server (relay only), so that a relay can be scraped and health-checked like {@code serve}. HEAD works as GET does,
 * without the body. The JDK's small HTTP server on one thread: a scrape every few seconds needs no more, and it stays
 * off Netty's loops.
 */
final class MetricsListener implements AutoCloseable {

    private final HttpServer server;

    private MetricsListener(HttpServer server) {
        this.server = server;
    }

    static MetricsListener start(InetSocketAddress address, Supplier<byte[]> scrape, String contentType) {
        try {
            HttpServer server = HttpServer.create(address, 16);
            server.createContext("/metrics", exchange -> respond(exchange, "/metrics", scrape, contentType));
            server.createContext("/healthz", exchange -> respond(exchange, "/healthz",
                    () -> "ok\n".getBytes(StandardCharsets.US_ASCII), "text/plain; charset=utf-8"));
            server.start();
            return new MetricsListener(server);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics-port: cannot listen on " + address, e);
        }
    }

    private static void respond(HttpExchange exchange, String path, Supplier<byte[]> body, String contentType)
            throws IOException {
        try (exchange) {
            if (!path.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.get();
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (head) {
                exchange.getResponseHeaders().set("Content-Length", String.valueOf(bytes.length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
