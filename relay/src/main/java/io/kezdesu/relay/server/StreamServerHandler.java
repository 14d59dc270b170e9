package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.allocation.ClientLink;
import io.kezdesu.relay.allocation.FiveTuple;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TCP or TLS client connection: per-connection state lives here (not shared). Each frame is ChannelData or
 * STUN, as on UDP; when the connection closes, its allocation goes with it (RFC 8656 §7: the 5-tuple is gone).
 */
final class StreamServerHandler extends SimpleChannelInboundHandler<ByteBuf> implements ClientLink {

    /** How often a connection looks whether it still has an allocation. */
    private static final long CHECK_MILLIS = 1000;

    private final TurnServices services;
    private final StunDispatcher dispatcher;
    private final FiveTuple.Transport transport;
    private Channel channel;
    private FiveTuple tuple;
    /**
     * When this connection last had an allocation (or opened). Past {@code max-allocate-timeout} without one it is
     * closed, however much it sends: an idle timer reset by any byte let a client hold a connection for ever with a
     * byte a minute.
     */
    private long lastAllocatedNanos;
    private ScheduledFuture<?> allocationCheck;

    /** This connection's place in max-connections: in use once it has an allocation. */
    private final io.kezdesu.common.ratelimit.ConnectionBudget.Place place;

    StreamServerHandler(TurnServices services, StunDispatcher dispatcher, FiveTuple.Transport transport,
                        io.kezdesu.common.ratelimit.ConnectionBudget.Place place) {
        this.place = place;
        this.services = services;
        this.dispatcher = dispatcher;
        this.transport = transport;
    }

    /** A connection handed over already open (TURN on the HTTPS port) starts here: it will see no channelActive. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (channel != null) {
            return;
        }
        channel = ctx.channel();
        services.streams().add(channel);
        lastAllocatedNanos = System.nanoTime();
        allocationCheck = ctx.executor().scheduleAtFixedRate(this::closeIfLongWithoutAllocation, CHECK_MILLIS,
                CHECK_MILLIS, TimeUnit.MILLISECONDS);
        tuple = new FiveTuple((InetSocketAddress) channel.remoteAddress(), (InetSocketAddress) channel.localAddress(),
                transport);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if ((frame.getByte(frame.readerIndex()) & 0xC0) == 0x40) {
            Allocation allocation = services.allocations().get(tuple);
            int number = frame.getUnsignedShort(frame.readerIndex());
            int length = frame.getUnsignedShort(frame.readerIndex() + 2);
            if (allocation != null && allocation.ready()) {
                allocation.channelDataFromClient(number, frame.retainedSlice(frame.readerIndex() + 4, length));
            }
            return;
        }
        byte[] bytes = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), bytes);
        dispatcher.dispatch(bytes, this, tuple, ctx.channel().eventLoop());
    }

    /** Reads only while the client takes what we send: requests stop being answered into a full backlog. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    private void closeIfLongWithoutAllocation() {
        long now = System.nanoTime();
        if (services.allocations().get(tuple) != null) {
            lastAllocatedNanos = now;
            place.inUse();
        } else if (now - lastAllocatedNanos >= services.config().maxAllocateTimeout().toNanos()) {
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (allocationCheck != null) {
            allocationCheck.cancel(false);
        }
        services.streams().remove(ctx.channel());
        Allocation allocation = tuple == null ? null : services.allocations().get(tuple);
        if (allocation != null) {
            allocation.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /**
     * Writes unless the backlog is over its high-water mark; then the message is dropped, as a datagram would be.
     * Answers to requests rarely meet a full backlog, since reading stops while it is full.
     */
    @Override
    public void send(ByteBuf message) {
        if (!channel.isWritable()) {
            message.release();
            services.allocations().metrics().droppedForBacklog();
            return;
        }
        channel.writeAndFlush(message, channel.voidPromise());
    }

    @Override
    public boolean stream() {
        return true;
    }

    @Override
    public InetSocketAddress client() {
        return tuple.client();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }
}
