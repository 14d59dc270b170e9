package io.kezdesu.signaling.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.kezdesu.common.auth.PasswordPool;
import io.kezdesu.signaling.metrics.SignalingMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Dispatches each aggregated request to the {@link Router} and writes the handler's answer. Reading pauses while a
 * request is in progress, so pipelined requests are answered in order and a client cannot queue unbounded work.
 * Failures become JSON errors here, in one place; nothing internal (stack traces, driver messages) reaches the client.
 * A HEAD request gets the GET answer's status and headers (Content-Length included) and no content.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);

    private final Router router;
    private final AtomicInteger inFlight;
    private final SignalingMetrics metrics;
    private final ClientAddress clientAddress;

    public HttpApiHandler(Router router, AtomicInteger inFlight, SignalingMetrics metrics,
                          ClientAddress clientAddress) {
        this.router = router;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.clientAddress = clientAddress;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        // Every answer, even one known at once (404, 405, 400), pauses reading until it is written: a client that
        // pipelines requests and never reads its answers then fills its own socket buffers, not our heap.
        ctx.channel().config().setAutoRead(false);
        inFlight.incrementAndGet();
        if (!req.decoderResult().isSuccess()) {
            finish(ctx, error(new ApiException(ApiError.BAD_REQUEST, "malformed HTTP request")), false, head);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        ApiRequest request = new ApiRequest(req.method(), uri.path(), Map.of(), uri.parameters(), req.headers().copy(),
                ByteBufUtil.getBytes(req.content()), clientAddress.resolve(
                        ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(), req.headers()));
        Router.Match match = router.match(request);
        if (match.handler() == null) {
            ApiResponse response = match.allowed().isEmpty()
                    ? error(new ApiException(ApiError.NOT_FOUND, "no such resource: " + request.path()))
                    : error(new ApiException(ApiError.METHOD_NOT_ALLOWED, req.method() + " is not allowed here"))
                            .withHeader("Allow", String.join(", ", match.allowed().stream().map(Object::toString)
                                    .toList()));
            finish(ctx, response, keepAlive, head);
            return;
        }
        Mono<ApiResponse> answer;
        try {
            answer = match.handler().apply(match.request());
        } catch (RuntimeException e) {
            answer = Mono.error(e);
        }
        answer.switchIfEmpty(Mono.error(new IllegalStateException("handler completed without a response")))
                .subscribe(
                        response -> finish(ctx, response, keepAlive, head),
                        failure -> {
                            countRefusedToken(request, failure);
                            finish(ctx, error(failure, request), keepAlive, head);
                        });
    }

    /**
     * A bearer token that was presented and refused counts in {@code kezdesu_auth_failures_total}: kind
     * {@code admin-token} under /admin/, {@code api-token} elsewhere. A missing token is not a failed attempt.
     */
    private void countRefusedToken(ApiRequest request, Throwable failure) {
        if (failure instanceof ApiException api && request.bearerToken().isPresent()
                && (api.error() == ApiError.UNAUTHORIZED || api.error() == ApiError.TOKEN_EXPIRED)) {
            metrics.authFailures.labelValues(request.path().startsWith("/admin/")
                    ? SignalingMetrics.AUTH_ADMIN_TOKEN : SignalingMetrics.AUTH_API_TOKEN).inc();
        }
    }

    private void finish(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive, boolean head) {
        io.kezdesu.common.ratelimit.ConnectionBudget.Place place = ctx.channel().attr(HttpInitializer.PLACE).get();
        // Waiting from the moment it is answered: a client may read this answer and make its next connection's
        // request before this write's listener runs.
        long answered = place == null ? 0 : place.now();
        write(ctx, response, keepAlive, head).addListener(f -> {
            inFlight.decrementAndGet();
            if (keepAlive && ctx.channel().isActive()) {
                ctx.channel().config().setAutoRead(true);
                // Between requests a keep-alive connection may make room for a newcomer (max-connections).
                if (place != null) {
                    place.idleAgain(answered);
                }
            }
        });
    }

    public static io.netty.channel.ChannelFuture write(ChannelHandlerContext ctx, ApiResponse response,
                                                       boolean keepAlive) {
        return write(ctx, response, keepAlive, false);
    }

    /** With {@code head}, the headers describe the body (its Content-Length) but the body is not sent. */
    private static io.netty.channel.ChannelFuture write(ChannelHandlerContext ctx, ApiResponse response,
                                                        boolean keepAlive, boolean head) {
        io.netty.channel.ChannelFuture f = ctx.writeAndFlush(response(response, keepAlive, head));
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
        return f;
    }

    /** The HTTP message for an answer, with the headers every answer carries. */
    static FullHttpResponse response(ApiResponse response, boolean keepAlive, boolean head) {
        byte[] body = response.body() == null ? new byte[0]
                : response.body() instanceof byte[] b ? b : Json.write(response.body());
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (response.contentType() != null) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        out.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        out.headers().set("X-Content-Type-Options", "nosniff");
        if (keepAlive) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        response.headers().forEach(out.headers()::set);
        return out;
    }

    /**
     * Answers and stops sending, but keeps reading (and discarding) for a while: closing outright while the client is
     * still sending a body makes the kernel reset the connection, which can destroy the answer before it is read.
     */
    public static void writeThenHalfClose(ChannelHandlerContext ctx, ApiResponse response) {
        ApiResponse closing = response.withHeader(HttpHeaderNames.CONNECTION.toString(), "close");
        write(ctx, closing, true).addListener(f -> {
            if (ctx.channel() instanceof io.netty.channel.socket.DuplexChannel duplex && duplex.isActive()) {
                duplex.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), 5, java.util.concurrent.TimeUnit.SECONDS);
            } else {
                ctx.close();
            }
        });
    }

    /** The JSON error for a refusal. */
    public static ApiResponse error(ApiException e) {
        Map<String, String> body = new java.util.LinkedHashMap<>();
        body.put("error", e.error().code());
        body.put("message", e.getMessage());
        ApiResponse r = new ApiResponse(e.error().status(), body, "application/json", Map.of());
        if (e.retryAfter().isPresent()) {
            r = r.withHeader("Retry-After", String.valueOf(Math.max(1, e.retryAfter().get().toSeconds())));
        }
        if (e.error().status().code() == 401) {
            r = r.withHeader("WWW-Authenticate", "Bearer");
        }
        return r;
    }

    private static ApiResponse error(Throwable failure, ApiRequest request) {
        if (failure instanceof ApiException api) {
            return error(api);
        }
        if (failure instanceof PasswordPool.BusyException) {
            return error(new ApiException(ApiError.UNAVAILABLE, "the server is busy checking passwords; try again in "
                    + "a moment", Optional.of(Duration.ofSeconds(1))));
        }
        if (io.kezdesu.common.store.StoreErrors.unreachable(failure)) {
            LOG.warn("{} {}: store unavailable: {}", request.method(), request.path(), failure.toString());
            return error(new ApiException(ApiError.UNAVAILABLE, "the store is unavailable; try again later"));
        }
        LOG.error("{} {} failed", request.method(), request.path(), failure);
        return error(new ApiException(ApiError.INTERNAL, "internal error"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("closing HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
