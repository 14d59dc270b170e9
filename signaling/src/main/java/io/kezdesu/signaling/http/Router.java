package io.kezdesu.signaling.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Maps method and path to a handler. Patterns are literal segments and {@code {name}} captures; a path that matches
 * some route but not its method is answered 405, anything else 404. HEAD goes wherever GET goes (RFC 9110 §9.3.2:
 * the same answer without its content), so every {@code Allow} that names GET names HEAD too.
 */
public final class Router {

    /** A handler never blocks: it returns a publisher of the response. */
    public interface Handler extends Function<ApiRequest, Mono<ApiResponse>> {
    }

    private record Route(HttpMethod method, String[] segments, Handler handler) {
    }

    /** A match: the handler and the request with its path parameters filled in, or the allowed methods. */
    public record Match(Handler handler, ApiRequest request, Set<HttpMethod> allowed) {
    }

    private final List<Route> routes = new ArrayList<>();
    private Handler fallback;

    /** Where a GET that matches no route goes (the web client's files). */
    public Router fallback(Handler handler) {
        this.fallback = handler;
        return this;
    }

    public Router add(HttpMethod method, String pattern, Handler handler) {
        routes.add(new Route(method, split(pattern), handler));
        return this;
    }

    public Match match(ApiRequest request) {
        HttpMethod method = request.method().equals(HttpMethod.HEAD) ? HttpMethod.GET : request.method();
        String[] path = split(request.path());
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments, path);
            if (params == null) {
                continue;
            }
            if (route.method.equals(method)) {
                return new Match(route.handler, request.withPathParams(params), Set.of());
            }
            allowed.add(route.method);
            if (route.method.equals(HttpMethod.GET)) {
                allowed.add(HttpMethod.HEAD);
            }
        }
        if (allowed.isEmpty() && fallback != null && method.equals(HttpMethod.GET)) {
            return new Match(fallback, request, Set.of());
        }
        return new Match(null, request, allowed);
    }

    private static Map<String, String> bind(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }
}
