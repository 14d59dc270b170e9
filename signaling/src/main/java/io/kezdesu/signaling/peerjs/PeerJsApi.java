package io.kezdesu.signaling.peerjs;

import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Json;
import io.kezdesu.signaling.http.Router;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * peerjs-server's HTTP API under the base path: {@code GET /} (server info), {@code GET /{key}/id} (a fresh id, as
 * text/html like Express's {@code res.send(string)}), {@code GET /{key}/peers} (401 unless discovery is on). As in
 * peerjs-server the key in these URLs is not checked, and CORS reflects the request's Origin (the {@code cors}
 * package with {@code origin: true}), preflights included.
 */
public final class PeerJsApi {

    private static final byte[] INFO = Json.write(info("PeerJS Server",
            "A server side element to broker connections between PeerJS clients.", "https://peerjs.com/"));
    private static final String ALLOW_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";

    private final PeerJsService service;

    public PeerJsApi(PeerJsService service) {
        this.service = service;
    }

    public void routes(Router router) {
        String base = service.settings().path();
        router.add(HttpMethod.GET, base, req -> Mono.just(cors(req, ApiResponse.bytes(HttpResponseStatus.OK,
                info(), "application/json; charset=utf-8"))));
        router.add(HttpMethod.GET, base + "/{key}/id", req -> Mono.just(cors(req, ApiResponse.bytes(
                HttpResponseStatus.OK, service.realm().freshId().getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8"))));
        router.add(HttpMethod.GET, base + "/{key}/peers", this::peers);
        for (String pattern : new String[] {base, base + "/{key}/id", base + "/{key}/peers"}) {
            router.add(HttpMethod.OPTIONS, pattern, PeerJsApi::preflight);
        }
    }

    private static byte[] info() {
        return INFO.clone();
    }

    private static Map<String, String> info(String name, String description, String website) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        m.put("website", website);
        return m;
    }

    private Mono<ApiResponse> peers(ApiRequest req) {
        if (!service.settings().allowDiscovery()) {
            return Mono.just(cors(req, ApiResponse.bytes(HttpResponseStatus.UNAUTHORIZED,
                    "Unauthorized".getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8")));
        }
        return Mono.just(cors(req, ApiResponse.bytes(HttpResponseStatus.OK, Json.write(service.realm().ids()),
                "application/json; charset=utf-8")));
    }

    private static Mono<ApiResponse> preflight(ApiRequest req) {
        ApiResponse r = cors(req, new ApiResponse(HttpResponseStatus.NO_CONTENT, null, null, Map.of()))
                .withHeader("Access-Control-Allow-Methods", ALLOW_METHODS);
        String asked = req.headers().get("Access-Control-Request-Headers");
        if (asked != null) {
            r = r.withHeader("Access-Control-Allow-Headers", asked)
                    .withHeader("Vary", "Origin, Access-Control-Request-Headers");
        }
        return Mono.just(r);
    }

    private static ApiResponse cors(ApiRequest req, ApiResponse r) {
        String origin = req.headers().get("Origin");
        ApiResponse out = r.withHeader("Vary", "Origin");
        return origin == null ? out : out.withHeader("Access-Control-Allow-Origin", origin);
    }
}
