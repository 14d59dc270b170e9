package io.kezdesu.relay.allocation;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the relayed socket of one allocation: every datagram is peer → client (RFC 8656 §10.3). */
final class RelayChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(RelayChannelHandler.class);

    private final Allocation allocation;

    RelayChannelHandler(Allocation allocation) {
        super(false);
        this.allocation = allocation;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (UdpSockets.truncated(packet.content().readableBytes())) {
            packet.release();
            return;
        }
        allocation.fromPeer(packet.sender(), packet.content());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send or read concerns one datagram of one allocation; the socket stays open.
        if (log.isDebugEnabled()) {
            log.debug("[{}] relay socket error: {}", allocation, cause.toString());
        }
    }
}
