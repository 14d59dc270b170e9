package io.kezdesu.signaling.web;

import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * The bundled web client, served from the classpath ({@code /web/…} in the signaling jar). {@code /} is
 * {@code index.html}; a join link {@code /r/<room>} is {@code room.html}. Files are read once and kept in memory; the
 * Content-Security-Policy allows only our own scripts, styles and connections.
 */
public final class StaticFiles {

    private static final Pattern SAFE = Pattern.compile("/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final Pattern ROOM_LINK = Pattern.compile("/r/[A-Za-z0-9_-]{1,64}");
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; object-src 'none'; "
            + "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    private final ConcurrentHashMap<String, byte[]> cache = new ConcurrentHashMap<>();

    /** Answers a GET that no API route took. */
    public Mono<ApiResponse> serve(ApiRequest req) {
        String path = req.path();
        String file = path.equals("/") ? "/index.html" : ROOM_LINK.matcher(path).matches() ? "/room.html" : path;
        if (!SAFE.matcher(file).matches() || file.contains("..")) {
            return Mono.error(notFound(path));
        }
        byte[] body = cache.computeIfAbsent(file, StaticFiles::load);
        if (body.length == 0 && !file.endsWith(".txt")) {
            cache.remove(file);
            return Mono.error(notFound(path));
        }
        String ext = file.substring(file.lastIndexOf('.') + 1);
        return Mono.just(ApiResponse.bytes(HttpResponseStatus.OK, body,
                        TYPES.getOrDefault(ext, "application/octet-stream"))
                .withHeader("Content-Security-Policy", CSP)
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader("Cache-Control", "no-cache"));
    }

    private static byte[] load(String file) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("/web" + file)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiException notFound(String path) {
        return new ApiException(ApiError.NOT_FOUND, "no such resource: " + path);
    }
}
