package io.kezdesu.relay.allocation;

import io.kezdesu.relay.auth.Credential;
import io.kezdesu.relay.ice4j.StunCodec;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TURN allocation (RFC 8656 §2.2): a relayed UDP socket per address family for one client 5-tuple (two after an
 * Allocate with ADDITIONAL-ADDRESS-FAMILY, RFC 8656 §7.2), its permissions and channels. A peer is reached through
 * the socket of its own family. Pinned to the event loop of the client's listener or connection; every method below runs on {@link #loop()}, so
 * the state needs no locks.
 */
public final class Allocation {

    private static final Logger log = LoggerFactory.getLogger(Allocation.class);

    private final FiveTuple fiveTuple;
    private final ClientLink client;
    private final Credential credential;
    private final byte[] transactionId;
    private final EventLoop loop;
    private final AllocationManager manager;
    /** Made on the first permission (an allocation's heap is measured in docs/BENCHMARKS.md). */
    private Map<InetAddress, Permission> permissions = Map.of();
    private final ChannelTable channels;
    private final ByteRate rate;
    private Duration lifetime;
    /**
     * The relayed sockets, IPv4 and IPv6 (either may be null): taken from the loop's idle ones or bound for this
     * allocation, given back on close.
     */
    private IdleRelaySockets.Socket socket4;
    private IdleRelaySockets.Socket socket6;
    /** ADDRESS-ERROR-CODE for the family asked for and not allocated (repeated to a retransmitted Allocate). */
    private OutAttribute.AddressErrorCode addressError;
    private boolean ready;
    private long deadlineNanos;
    private ScheduledFuture<?> expiry;
    private boolean closed;

    Allocation(FiveTuple fiveTuple, ClientLink client, Credential credential, byte[] transactionId, EventLoop loop,
               AllocationManager manager, long maxBps, int maxChannelNumber) {
        this.channels = new ChannelTable(maxChannelNumber);
        this.fiveTuple = fiveTuple;
        this.client = client;
        this.credential = credential;
        this.transactionId = transactionId.clone();
        this.loop = loop;
        this.manager = manager;
        this.rate = maxBps > 0 ? new ByteRate(maxBps, System.nanoTime()) : null;
    }

    void attach(IdleRelaySockets.Socket relaySocket) {
        if (relaySocket.address().getAddress() instanceof Inet6Address) {
            socket6 = relaySocket;
        } else {
            socket4 = relaySocket;
        }
    }

    /** Every relayed socket is bound: the Allocate may be answered, and the other methods may use it. */
    void ready(OutAttribute.AddressErrorCode error) {
        this.addressError = error;
        this.ready = true;
    }

    /** Why a family asked for in the Allocate has no relayed address here, or null. */
    public OutAttribute.AddressErrorCode addressError() {
        return addressError;
    }

    public FiveTuple fiveTuple() {
        return fiveTuple;
    }

    public Credential credential() {
        return credential;
    }

    public EventLoop loop() {
        return loop;
    }

    public boolean createdBy(byte[] tid) {
        return java.util.Arrays.equals(transactionId, tid);
    }

    public boolean ready() {
        return ready && !closed;
    }

    /** The relayed transport addresses as bound locally (before external-ip mapping), IPv4 first. */
    public List<InetSocketAddress> relayAddresses() {
        if (socket4 != null && socket6 != null) {
            return List.of(socket4.address(), socket6.address());
        }
        IdleRelaySockets.Socket one = socket4 != null ? socket4 : socket6;
        return one == null ? List.of() : List.of(one.address());
    }

    /** Whether this allocation has a relayed address of the peer's family (else 443, RFC 8656 §9.2, §11.2). */
    public boolean hasFamilyOf(InetAddress peer) {
        return socketFor(peer) != null;
    }

    private IdleRelaySockets.Socket socketFor(InetAddress peer) {
        return peer instanceof Inet6Address ? socket6 : socket4;
    }

    /** RFC 8656 §7.5: a Refresh (or the Allocate) sets a new lifetime; the expiry task follows the deadline. */
    public void refresh(Duration lifetime) {
        this.lifetime = lifetime;
        boolean armed = deadlineNanos != 0;
        deadlineNanos = System.nanoTime() + lifetime.toNanos();
        if (!armed) {
            armExpiry(lifetime.toNanos());
        }
    }

    private void armExpiry(long delayNanos) {
        expiry = loop.schedule(() -> {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                armExpiry(left);
            } else {
                close();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The lifetime last granted (what a retransmitted Allocate is told again). */
    public Duration lifetime() {
        return lifetime;
    }

    public int permissionCount() {
        return permissions.size();
    }

    public boolean hasPermission(InetAddress peer) {
        return permissions.containsKey(peer);
    }

    /** RFC 8656 §9.2: install or refresh; the caller has checked policy and quota for the whole request. */
    public void permit(InetAddress peer, Duration lifetime) {
        if (!(permissions instanceof HashMap)) {
            permissions = new HashMap<>(4);
        }
        Permission p = permissions.computeIfAbsent(peer, Permission::new);
        p.refresh(lifetime.toNanos(), loop, () -> permissions.remove(peer, p));
    }

    /** RFC 8656 §11.2's rebinding rules (400), checked before quotas so the client learns the real problem. */
    public void checkChannel(int number, InetSocketAddress peer) {
        channels.check(number, peer);
    }

    /** RFC 8656 §11.2: bind or refresh a channel (400 on a rebinding conflict), refreshing its permission too. */
    public void bindChannel(int number, InetSocketAddress peer, Duration channelLifetime, Duration permissionLifetime) {
        ChannelBinding binding = channels.bind(number, peer);
        binding.refresh(channelLifetime.toNanos(), loop, () -> channels.expire(binding));
        permit(peer.getAddress(), permissionLifetime);
    }

    /** Client → peer by ChannelData (RFC 8656 §12.6); unbound channels are dropped. Takes ownership of data. */
    public void channelDataFromClient(int number, ByteBuf data) {
        ChannelBinding binding = channels.byNumber(number);
        if (binding == null) {
            data.release();
            return;
        }
        sendToPeer(binding.peer(), data);
    }

    /** Client → peer (Send indication or ChannelData): only with a live permission (RFC 8656 §10.2). */
    public void sendToPeer(InetSocketAddress peer, ByteBuf data) {
        Permission p = permissions.get(peer.getAddress());
        IdleRelaySockets.Socket socket = socketFor(peer.getAddress());
        if (closed || p == null || socket == null || !p.valid(System.nanoTime()) || !admit(data.readableBytes())) {
            data.release();
            return;
        }
        manager.metrics().toPeer(data.readableBytes());
        Allocation local = manager.byRelayAddress(peer);
        if (local != null) {
            // Both ends are ours: hand the bytes over in-process instead of a loopback round trip (and so that
            // clients behind external-ip, whose public address is not routable from here, reach each other).
            InetSocketAddress from = socket.address();
            if (local.loop.inEventLoop()) {
                local.fromPeer(from, data);
            } else {
                local.loop.execute(() -> local.fromPeer(from, data));
            }
            return;
        }
        Channel relay = socket.channel();
        relay.writeAndFlush(new DatagramPacket(data, peer), relay.voidPromise());
    }

    /**
     * Peer → client (RFC 8656 §10.3, §12.7): drop without a permission; ChannelData when a channel is bound to the
     * peer, otherwise a Data indication. Takes ownership of data.
     */
    public void fromPeer(InetSocketAddress peer, ByteBuf data) {
        Permission p = permissions.get(peer.getAddress());
        if (closed || p == null || !p.valid(System.nanoTime()) || !admit(data.readableBytes())) {
            data.release();
            return;
        }
        try {
            ChannelBinding binding = channels.byPeer(peer);
            int length = data.readableBytes();
            manager.metrics().toClient(length);
            if (binding != null) {
                int pad = client.stream() ? (-length) & 3 : 0;
                ByteBuf out = client.alloc().directBuffer(4 + length + pad);
                out.writeShort(binding.number()).writeShort(length).writeBytes(data).writeZero(pad);
                client.send(out);
            } else {
                byte[] bytes = new byte[length];
                data.getBytes(data.readerIndex(), bytes);
                byte[] tid = new byte[12];
                ThreadLocalRandom.current().nextBytes(tid);
                byte[] indication = StunCodec.encode(StunTypes.type(StunTypes.DATA, StunTypes.Kind.INDICATION), tid,
                        List.of(new OutAttribute.XorPeerAddress(manager.emitted(peer)),
                                new OutAttribute.Data(bytes)), null, false);
                client.send(Unpooled.wrappedBuffer(indication));
            }
        } finally {
            data.release();
        }
    }

    private boolean admit(int bytes) {
        return rate == null || rate.tryTake(bytes, System.nanoTime());
    }

    /** Idempotent: frees the quota and the 5-tuple, and gives the relayed socket back (its port, eventually). */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (log.isDebugEnabled()) {
            log.debug("[{}] closed ({} permissions, {} channels)", this, permissions.size(), channels.size());
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        permissions.values().forEach(Permission::cancel);
        permissions = Map.of();
        channels.cancelAll();
        manager.removed(this);
        if (socket4 != null) {
            manager.recycle(socket4, loop);
        }
        if (socket6 != null) {
            manager.recycle(socket6, loop);
        }
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Allocation[" + fiveTuple.client() + " -> " + relayAddresses() + "]";
    }
}
