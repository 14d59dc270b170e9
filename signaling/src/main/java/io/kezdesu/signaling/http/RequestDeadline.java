package io.kezdesu.signaling.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slowloris guard: a request must arrive whole (headers and body) within {@code header-timeout} of its first
 * byte, or the connection gets a 408 and is closed. The idle timer alone did not do it, since any byte reset it: a
 * client could hold a connection for ever by sending a header line a minute. A new connection's first request is due
 * within {@code header-timeout} of the connection itself (a connection that never sends a byte is closed without an
 * answer): a crowd of silent connections used to hold its descriptors for the whole idle timeout. Sits before the
 * HTTP codec, where it sees the first byte; {@link #completion()} sits after the aggregator, where it sees the
 * request end. Between requests the idle timer applies.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    /** How long a timed-out connection's further input is read and dropped after the 408, before the close. */
    private static final long LINGER_MILLIS = 2_000;

    private final long timeoutMillis;
    private ScheduledFuture<?> timer;
    private boolean lingering;
    private boolean anyByte;

    /** Called when a whole request has arrived (the connection is then in use, not idle). */
    private final Runnable requestArrived;

    RequestDeadline(Duration timeout, Runnable requestArrived) {
        this.timeoutMillis = timeout.toMillis();
        this.requestArrived = requestArrived;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        anyByte = true;
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (timer == null) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!anyByte) {
            LOG.debug("closing HTTP connection from {}: nothing sent within {} ms", ctx.channel().remoteAddress(),
                    timeoutMillis);
            ctx.close();
            return;
        }
        LOG.debug("closing HTTP connection from {}: request not complete within {} ms", ctx.channel().remoteAddress(),
                timeoutMillis);
        // Through the whole pipeline (the codec comes after this handler), then closed.
        ApiResponse answer = HttpApiHandler.error(new ApiException(ApiError.REQUEST_TIMEOUT,
                "the request did not arrive within " + Math.max(1, timeoutMillis / 1000) + " s"))
                .withHeader("Connection", "close");
        ctx.channel().writeAndFlush(HttpApiHandler.response(answer, false, false))
                .addListener((ChannelFutureListener) written -> lingeringClose(ctx, written));
    }

    /**
     * Closing at once while the client is still sending made the kernel answer its next bytes with a reset, which
     * could destroy the 408 in the client's receive buffer before it was read. So, as HTTP servers do (RFC 9112
     * §9.6): send FIN after the 408, drop whatever still arrives, and close when the client does or after a linger.
     */
    private void lingeringClose(ChannelHandlerContext ctx, ChannelFuture written) {
        if (!written.isSuccess() || !(ctx.channel() instanceof SocketChannel socket)) {
            ctx.close();
            return;
        }
        lingering = true;
        ctx.channel().config().setAutoRead(true);
        socket.shutdownOutput();
        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void completed() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Gone from the pipeline (the connection turned out to be TURN's): its clock stops. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!lingering) {
            completed();
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
                    requestArrived.run();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }
}
