package io.kezdesu.cli.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * {@code metrics-port}: a plain-HTTP {@code GET /metrics} for a process without the signaling server (relay only).
 * The JDK's small HTTP server on one thread: a scrape every few seconds needs no more, and it stays off Netty's loops.
 */
final class MetricsListener implements AutoCloseable {

    private final HttpServer server;

    private MetricsListener(HttpServer server) {
        this.server = server;
    }

    static MetricsListener start(InetSocketAddress address, Supplier<byte[]> scrape, String contentType) {
        try {
            HttpServer server = HttpServer.create(address, 16);
            server.createContext("/metrics", exchange -> respond(exchange, scrape, contentType));
            server.start();
            return new MetricsListener(server);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics-port: cannot listen on " + address, e);
        }
    }

    private static void respond(HttpExchange exchange, Supplier<byte[]> scrape, String contentType)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) || !"/metrics".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = scrape.get();
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
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
