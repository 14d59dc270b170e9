package io.kezdesu.signaling.http;

import io.kezdesu.common.store.Store;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/** {@code /healthz}: the process serves requests. {@code /readyz}: and its store answers. */
public final class HealthApi {

    private static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private final Store store;

    public HealthApi(Store store) {
        this.store = store;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, "/healthz", req -> Mono.just(ApiResponse.ok(Map.of("status", "ok"))))
                .add(HttpMethod.GET, "/readyz", req -> store.ping(PING_TIMEOUT)
                        .thenReturn(ApiResponse.ok(Map.of("status", "ready")))
                        .onErrorResume(e -> Mono.just(HttpApiHandler.error(new ApiException(ApiError.NOT_READY,
                                "store unreachable: " + reason(e))))));
    }

    private static String reason(Throwable e) {
        if (e instanceof TimeoutException) {
            return "no answer within " + PING_TIMEOUT.toSeconds() + " s";
        }
        return io.kezdesu.common.store.StoreErrors.describe(e);
    }
}
