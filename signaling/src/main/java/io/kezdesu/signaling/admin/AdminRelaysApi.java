package io.kezdesu.signaling.admin;

import io.kezdesu.common.config.ValueType;
import io.kezdesu.common.relays.RelayRecords;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.signaling.ice.IceServers;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * The relay fleet for administrators: {@code GET /admin/relays} lists every relay the store knows (where it is, its
 * allocations, its state, and whether this node hands it out now), {@code POST /admin/relays/{id}/drain} asks a live
 * relay to drain ({@code ?timeout=10m} caps how long; default: the relay's drain-timeout, or an hour). The relay
 * picks the request up with its next heartbeat, a third of node-timeout at most.
 */
public final class AdminRelaysApi {

    private static final ValueType<Duration> TIMEOUT = ValueType.duration(Duration.ofSeconds(1));

    private final RelayRecords relays;
    private final IceServers ice;
    private final AdminAuth auth;

    public AdminRelaysApi(RelayRecords relays, IceServers ice, AdminAuth auth) {
        this.relays = relays;
        this.ice = ice;
        this.auth = auth;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, "/admin/relays", req -> auth.require(req, () -> relays.all().map(this::describe)));
        router.add(HttpMethod.POST, "/admin/relays/{id}/drain", req -> auth.require(req, () -> drain(req)));
    }

    private Mono<ApiResponse> drain(ApiRequest req) {
        String id = req.param("id");
        Optional<Duration> timeout;
        try {
            timeout = req.queryParam("timeout").map(TIMEOUT::parse);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField("timeout", TIMEOUT.expected());
        }
        return relays.requestDrain(id, timeout).map(found -> {
            if (!found) {
                throw new ApiException(ApiError.NOT_FOUND, "no live relay " + id + " (kezdesu relay list shows them)");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("state", "drain-requested");
            timeout.ifPresent(t -> body.put("timeoutSeconds", t.toSeconds()));
            return ApiResponse.ok(body);
        });
    }

    private ApiResponse describe(List<RelayRecords.Relay> all) {
        Set<String> handedOut = ice.chosen().stream().map(RelayRecords.Relay::id).collect(Collectors.toSet());
        List<Map<String, Object>> out = new ArrayList<>();
        for (RelayRecords.Relay r : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("host", r.advert().host().orElse(null));
            m.put("port", r.advert().port());
            m.put("tlsPort", r.advert().tlsPort());
            m.put("region", r.advert().region().orElse(null));
            m.put("allocations", r.allocations());
            m.put("state", !relays.isAlive(r) ? "dead" : r.draining() ? "draining"
                    : r.drainRequested() ? "drain-requested" : "serving");
            m.put("handedOut", handedOut.contains(r.id()));
            m.put("startedAt", r.startedAt().toString());
            m.put("heartbeatAt", r.heartbeatAt().toString());
            out.add(m);
        }
        return ApiResponse.ok(Map.of("relays", out));
    }
}
