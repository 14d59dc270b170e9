package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.allocation.ClientLink;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.allocation.UdpSockets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP listener. Hot path first: a datagram whose first two bits are 01 is ChannelData (RFC 8656 §12.4) and is
 * forwarded from its 4-byte header without any STUN decoding; everything else goes to the dispatcher.
 */
public final class UdpServerHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpServerHandler.class);

    private final StunDispatcher dispatcher;
    private final TurnServices services;

    public UdpServerHandler(TurnServices services) {
        super(false);
        this.services = services;
        this.dispatcher = new StunDispatcher(services);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        try {
            int length = content.readableBytes();
            if (UdpSockets.truncated(length)) {
                return;
            }
            if (FastBinding.isBindingRequest(content) && !services.natDiscovery().enabled()) {
                // Rate-limited per source before anything else: a spoofed flood must not be reflected.
                InetSocketAddress sender = packet.sender();
                if (!services.bindingLimiter().tryAcquire(sender.getAddress(), System.nanoTime())) {
                    return;
                }
                ByteBuf answer = FastBinding.answer(content, sender, ctx.alloc());
                if (answer != null) {
                    ctx.writeAndFlush(new DatagramPacket(answer, sender), ctx.voidPromise());
                    return;
                }
                // Not a plain one: the dispatcher decides, without charging the limit twice.
                dispatcher.dispatchBinding(copy(content), new UdpLink(ctx.channel(), sender),
                        new FiveTuple(sender, (InetSocketAddress) ctx.channel().localAddress(),
                                FiveTuple.Transport.UDP), ctx.channel().eventLoop());
                return;
            }
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            FiveTuple tuple = new FiveTuple(packet.sender(), local, FiveTuple.Transport.UDP);
            if (length >= 4 && (content.getByte(content.readerIndex()) & 0xC0) == 0x40) {
                int number = content.getUnsignedShort(content.readerIndex());
                int dataLength = content.getUnsignedShort(content.readerIndex() + 2);
                Allocation allocation = services.allocations().get(tuple);
                // RFC 8656 §12.4: a length beyond the datagram is malformed; trailing bytes are padding.
                if (allocation != null && allocation.ready() && dataLength <= length - 4) {
                    allocation.channelDataFromClient(number,
                            content.retainedSlice(content.readerIndex() + 4, dataLength));
                }
                return;
            }
            dispatcher.dispatch(copy(content), new UdpLink(ctx.channel(), packet.sender()), tuple,
                    ctx.channel().eventLoop());
        } finally {
            content.release();
        }
    }

    private static byte[] copy(ByteBuf content) {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        return bytes;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failure on one datagram must not close the listener for everyone else.
        if (log.isDebugEnabled()) {
            log.debug("[udp {}] {}", ctx.channel().localAddress(), cause.toString());
        }
    }

    /** The way back to a UDP client: the listener socket it talked to. */
    record UdpLink(Channel listener, InetSocketAddress client) implements ClientLink {

        @Override
        public void send(ByteBuf message) {
            listener.writeAndFlush(new DatagramPacket(message, client), listener.voidPromise());
        }

        @Override
        public boolean stream() {
            return false;
        }

        @Override
        public ByteBufAllocator alloc() {
            return listener.alloc();
        }
    }
}
