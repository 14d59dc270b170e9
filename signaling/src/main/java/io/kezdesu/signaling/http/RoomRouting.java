package io.kezdesu.signaling.http;

import reactor.core.publisher.Mono;

/**
 * Where an API request about one room is answered: here, or at the node of the cluster that serves the room (it
 * holds the live room: who is in it, and the moderation that must reach them). {@link #LOCAL} on a node on its own.
 */
public interface RoomRouting {

    /** Every room is served here. */
    RoomRouting LOCAL = (request, roomId, here) -> here.apply(request);

    /** Answers {@code request} with {@code here}, or passes it to the room's owner and answers with its answer. */
    Mono<ApiResponse> route(ApiRequest request, String roomId, Router.Handler here);

    /** {@code handler} for a route whose {@code {id}} is a room. */
    default Router.Handler owned(Router.Handler handler) {
        return request -> route(request, request.param("id"), handler);
    }
}
