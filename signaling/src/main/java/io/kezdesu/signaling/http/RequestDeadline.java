package io.kezdesu.signaling.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slowloris guard: a request must arrive whole (headers and body) within {@code header-timeout} of its first
 * byte, or the connection gets a 408 and is closed. The idle timer alone did not do it, since any byte reset it: a
 * client could hold a connection for ever by sending a header line a minute. Sits before the HTTP codec, where it
 * sees the first byte; {@link #completion()} sits after the aggregator, where it sees the request end. Between
 * requests the idle timer applies.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    private final long timeoutMillis;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        LOG.debug("closing HTTP connection from {}: request not complete within {} ms", ctx.channel().remoteAddress(),
                timeoutMillis);
        // Through the whole pipeline (the codec comes after this handler), then closed.
        ApiResponse answer = HttpApiHandler.error(new ApiException(ApiError.REQUEST_TIMEOUT,
                "the request did not arrive within " + Math.max(1, timeoutMillis / 1000) + " s"))
                .withHeader("Connection", "close");
        ctx.channel().writeAndFlush(HttpApiHandler.response(answer, false, false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void completed() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        completed();
        super.channelInactive(ctx);
    }

    /** The handler that stops the clock when a whole request has been read. */
    ChannelHandler completion() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest) {
                    completed();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }
}
