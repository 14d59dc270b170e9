package io.kezdesu.signaling.cluster;

import io.kezdesu.common.auth.NodeSignature;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import io.kezdesu.signaling.http.ApiRequest;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.RoomRouting;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.signaling.room.RoomLeases;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * API requests about a room another node serves go to that node (the admin API's kick, close and promote must reach
 * the people in the room; its view of a room lists who is there): the request is sent on as it came, with this
 * node's signature, and its answer comes back as it was. A request that carries a node's signature is answered here,
 * so a request is passed on at most once.
 */
public final class NodeRequests implements RoomRouting {

    private static final Logger LOG = LoggerFactory.getLogger(NodeRequests.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** The request headers an answer depends on; the rest (Host, Connection, lengths) belong to each hop. */
    private static final List<String> PASSED = List.of("Authorization", "Cookie", "Content-Type", "Accept");

    private final RoomLeases leases;
    private final NodeSignature signature;
    private final String nodeId;
    private final java.util.function.Predicate<String> servedHere;
    private final io.kezdesu.common.http.LazyHttpClient http =
            new io.kezdesu.common.http.LazyHttpClient(Duration.ofSeconds(3));

    /** {@code servedHere}: whether a room is live on this node (then no one else serves it, and no store is asked). */
    public NodeRequests(RoomLeases leases, NodeSignature signature, String nodeId,
                        java.util.function.Predicate<String> servedHere) {
        this.servedHere = servedHere;
        this.leases = leases;
        this.signature = signature;
        this.nodeId = nodeId;
    }

    @Override
    public Mono<ApiResponse> route(ApiRequest request, String roomId, Router.Handler here) {
        // A room live here is served here (also while the store is down); a request a node passed on is answered.
        if (servedHere.test(roomId) || (request.headers().contains(NodeSignature.HEADER)
                && signature.verify(request.headers().get(NodeSignature.HEADER)).isPresent())) {
            return here.apply(request);
        }
        return leases.owner(roomId).flatMap(owner -> {
            if (owner.isEmpty()) {
                return here.apply(request);
            }
            if (owner.get().address() == null) {
                return Mono.error(new ApiException(ApiError.UNAVAILABLE, "room " + roomId + " is served by another "
                        + "node that cannot be reached from here (node-address); try again"));
            }
            return forward(request, roomId, owner.get());
        });
    }

    private Mono<ApiResponse> forward(ApiRequest request, String roomId, RoomLeases.Owner owner) {
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(owner.address() + request.path()
                        + query(request.query())))
                .timeout(TIMEOUT)
                .method(request.method().name(), request.body() == null || request.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .header(NodeSignature.HEADER, signature.sign(nodeId));
        for (String name : PASSED) {
            for (String value : request.headers().getAll(name)) {
                out.header(name, value);
            }
        }
        return Mono.fromFuture(() -> http.get().sendAsync(out.build(), HttpResponse.BodyHandlers.ofByteArray()))
                .map(answer -> ApiResponse.bytes(HttpResponseStatus.valueOf(answer.statusCode()), answer.body(),
                        answer.headers().firstValue(HttpHeaderNames.CONTENT_TYPE.toString())
                                .orElse("application/octet-stream")))
                .onErrorMap(e -> !(e instanceof ApiException), e -> {
                    LOG.info("room {}: its node {} did not answer: {}", roomId, owner.node(), e.toString());
                    return new ApiException(ApiError.UNAVAILABLE, "the node that serves room " + roomId
                            + " cannot be reached now; try again");
                });
    }

    private static String query(Map<String, List<String>> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringJoiner q = new StringJoiner("&", "?", "");
        query.forEach((name, values) -> values.forEach(v -> q.add(URLEncoder.encode(name, StandardCharsets.UTF_8)
                + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8))));
        return q.toString();
    }
}
