package io.kezdesu.relay.allocation;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the relayed socket of an allocation: every datagram is peer → client (RFC 8656 §10.3). The socket outlives
 * its allocation for a while ({@link IdleRelaySockets}); without one, datagrams are dropped. Runs on the socket's
 * loop, which is its allocation's.
 */
final class RelayChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(RelayChannelHandler.class);

    private Allocation allocation;

    RelayChannelHandler(Allocation allocation) {
        super(false);
        this.allocation = allocation;
    }

    void attach(Allocation next) {
        this.allocation = next;
    }

    void detach() {
        this.allocation = null;
    }

    Allocation allocation() {
        return allocation;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        Allocation allocation = this.allocation;
        if (allocation == null || UdpSockets.truncated(packet.content().readableBytes())) {
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
