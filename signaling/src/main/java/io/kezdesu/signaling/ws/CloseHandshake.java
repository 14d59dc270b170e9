package io.kezdesu.signaling.ws;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of a WebSocket close (RFC 6455 §7.1.1), for both endpoints: send the close frame, stop sending,
 * and wait a little for the client's close frame before dropping TCP. Closing at once while the client is still
 * sending makes the kernel answer its data with a reset, and the reset can destroy our error message and close frame
 * before the client reads them. The caller discards what arrives meanwhile and closes on the client's close frame.
 */
public final class CloseHandshake {

    /** How long to wait for the client's close frame after ours. */
    static final int WAIT_SECONDS = 2;

    private CloseHandshake() {
    }

    /** On the channel's event loop: {@code frame}, then half-close, then close after the wait. */
    public static void start(Channel ch, CloseWebSocketFrame frame) {
        ch.writeAndFlush(frame).addListener(f -> {
            if (ch instanceof DuplexChannel duplex && ch.isActive()) {
                duplex.shutdownOutput();
            }
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, WAIT_SECONDS, TimeUnit.SECONDS);
        });
    }
}
