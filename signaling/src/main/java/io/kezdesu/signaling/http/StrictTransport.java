package io.kezdesu.signaling.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * HTTPS only: every answer tells the browser to use HTTPS for this host from now on (RFC 6797), so that a later
 * {@code http://} link or a network that strips TLS cannot bring the login token into the clear. One year, the usual
 * value; {@code includeSubDomains} is left to the operator's proxy, since other services may share the domain.
 */
@ChannelHandler.Sharable
final class StrictTransport extends ChannelOutboundHandlerAdapter {

    static final StrictTransport INSTANCE = new StrictTransport();
    static final String VALUE = "max-age=31536000";

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse r) {
            r.headers().set("Strict-Transport-Security", VALUE);
        }
        ctx.write(msg, promise);
    }
}
