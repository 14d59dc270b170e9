package io.kezdesu.relay.allocation;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.Supplier;

/**
 * How the relay's UDP sockets (listeners and relayed sockets) read, which is most of a relayed packet's cost:
 * system calls, not our code. With epoll, one {@code recvmmsg} reads up to {@link #BATCH} datagrams, and no socket
 * makes the empty read Netty would otherwise make to find its queue drained (see {@link Reads}). NIO reads one
 * datagram per call, the same way. Measured against the alternatives in docs/BENCHMARKS.md (Relay): one
 * {@code recvmsg} per wake-up on relayed sockets shrank the event loop's turns, and with them the batches that
 * {@code sendmmsg} writes, and cost more than {@code recvmmsg}'s extra {@code getsockopt}.
 *
 * <p>A datagram longer than a slot is cut to the slot by the kernel, and nothing tells Netty it was: so a datagram
 * that fills its slot ({@link #truncated}) is dropped rather than relayed cut short. Nothing on a TURN path is that
 * long: media stays under the path MTU (about 1,200 bytes in browsers) and STUN messages fit in 1,280.
 */
public final class UdpSockets {

    /** Bytes per datagram slot; the longest datagram relayed is one byte less. */
    public static final int MAX_DATAGRAM = 4096;
    /** Datagrams per read. */
    public static final int BATCH = 16;

    private final Supplier<DatagramChannel> factory;
    private final boolean epoll;

    public UdpSockets(Supplier<DatagramChannel> factory, boolean epoll) {
        this.factory = factory;
        this.epoll = epoll;
    }

    /** Whether a datagram of this length may have been cut to its slot (and so must not be relayed). */
    public static boolean truncated(int length) {
        return length >= MAX_DATAGRAM;
    }

    /** Epoll's datagram channel where the native transport loads, NIO's otherwise. */
    public static UdpSockets forTransport(boolean epoll) {
        return epoll ? new UdpSockets(EpollDatagramChannel::new, true)
                : new UdpSockets(io.netty.channel.socket.nio.NioDatagramChannel::new, false);
    }

    public boolean epoll() {
        return epoll;
    }

    /** A bootstrap for a new UDP socket with these read settings; the caller adds the group and the handler. */
    public Bootstrap bootstrap() {
        Bootstrap b = new Bootstrap().channelFactory(factory::get);
        if (epoll) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new Reads(BATCH));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new Reads(1));
        }
        return b;
    }

    /**
     * Reads into a buffer of {@code slots} datagram slots, and reads again only after a batch that filled every
     * slot. Netty's datagram channel otherwise keeps reading until a call returns nothing, which costs an empty
     * read per wake-up: on a relayed socket that sees one datagram per wake-up, a second system call per packet.
     * Netty's epoll is level-triggered, so stopping early loses nothing: what is still queued, or arrives later,
     * wakes the loop again, in the same {@code epoll_wait} as every other ready socket.
     */
    static final class Reads extends DefaultMaxMessagesRecvByteBufAllocator {

        private final int slots;

        /** Up to four full batches per wake-up, then other sockets on the loop get their turn. */
        Reads(int slots) {
            super(4 * slots);
            this.slots = slots;
        }

        @Override
        public Handle newHandle() {
            return new MaxMessageHandle() {
                private final UncheckedBooleanSupplier batchWasFull = () -> lastBytesRead() == attemptedBytesRead();

                @Override
                public int guess() {
                    return MAX_DATAGRAM * slots;
                }

                @Override
                public boolean continueReading(UncheckedBooleanSupplier ignored) {
                    return super.continueReading(batchWasFull);
                }
            };
        }
    }
}
