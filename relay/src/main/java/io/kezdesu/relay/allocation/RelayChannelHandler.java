package io.kezdesu.relay.allocation;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/** Reads the relayed socket of one allocation: every datagram is peer → client (RFC 8656 §10.3). */
final class RelayChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private final Allocation allocation;

    RelayChannelHandler(Allocation allocation) {
        super(false);
        this.allocation = allocation;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        allocation.fromPeer(packet.sender(), packet.content());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors surface here as PortUnreachableException on connected-less sockets; nothing to do.
    }
}
