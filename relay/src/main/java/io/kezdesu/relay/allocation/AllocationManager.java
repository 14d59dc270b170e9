package io.kezdesu.relay.allocation;

import io.kezdesu.relay.auth.Credential;
import io.kezdesu.relay.policy.AddressMapper;
import io.kezdesu.relay.policy.QuotaPolicy;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * All allocations, by 5-tuple and by relayed address. Creation is asynchronous (the relay socket is bound on the
 * allocation's own event loop, never blocking it); quota is reserved before binding and released on close.
 */
public final class AllocationManager {

    /** Ports found taken by another process are skipped; after this many, the server reports 508. */
    private static final int BIND_ATTEMPTS = 8;

    private final ConcurrentHashMap<FiveTuple, Allocation> byTuple = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, Allocation> byRelay = new ConcurrentHashMap<>();
    private final PortPool ports;
    private final InetAddress relayIp;
    private final AddressMapper mapper;
    private final QuotaPolicy quota;
    private final Supplier<? extends DatagramChannel> channelFactory;
    private final long maxBps;

    public AllocationManager(InetAddress relayIp, int minPort, int maxPort, AddressMapper mapper, QuotaPolicy quota,
                             Supplier<? extends DatagramChannel> channelFactory, long maxBps) {
        this.relayIp = relayIp;
        this.ports = new PortPool(minPort, maxPort);
        this.mapper = mapper;
        this.quota = quota;
        this.channelFactory = channelFactory;
        this.maxBps = maxBps;
    }

    public Allocation get(FiveTuple tuple) {
        return byTuple.get(tuple);
    }

    public Allocation byRelayAddress(InetSocketAddress address) {
        return byRelay.get(address);
    }

    public int size() {
        return byTuple.size();
    }

    public InetAddress relayIp() {
        return relayIp;
    }

    /** How the server names one of its own relayed addresses to clients: mapped to the public address. */
    public InetSocketAddress emitted(InetSocketAddress address) {
        return address.getAddress().equals(relayIp) ? mapper.toPublic(address) : address;
    }

    /** A peer address from a client, public→private when it names our external address. */
    public InetSocketAddress internal(InetSocketAddress peer) {
        return mapper.toPrivate(peer, relayIp);
    }

    /**
     * RFC 8656 §7.2 steps: reserve quota (486), register the 5-tuple (437 if taken), pick a port (508 when the range
     * is exhausted), bind. {@code done} runs on the allocation's loop with the ready allocation or the failure.
     */
    public void create(FiveTuple tuple, ClientLink client, Credential credential, byte[] tid, EventLoop loop,
                       boolean evenPort, Consumer<Allocation> done, Consumer<TurnException> failed) {
        if (!quota.tryAcquire(credential.userId(), credential.roomId())) {
            throw new TurnException(StunError.ALLOCATION_QUOTA_REACHED, "quota");
        }
        Allocation allocation = new Allocation(tuple, client, credential, tid, loop, this, maxBps);
        if (byTuple.putIfAbsent(tuple, allocation) != null) {
            quota.release(credential.userId(), credential.roomId());
            throw new TurnException(StunError.ALLOCATION_MISMATCH, "5-tuple in use");
        }
        bind(allocation, loop, evenPort, BIND_ATTEMPTS, done, failed);
    }

    private void bind(Allocation allocation, EventLoop loop, boolean even, int attemptsLeft,
                      Consumer<Allocation> done, Consumer<TurnException> failed) {
        OptionalInt port = attemptsLeft > 0 ? ports.take(even) : OptionalInt.empty();
        if (port.isEmpty()) {
            allocation.close();
            failed.accept(new TurnException(StunError.INSUFFICIENT_CAPACITY, "no relay port"));
            return;
        }
        InetSocketAddress address = new InetSocketAddress(relayIp, port.getAsInt());
        ChannelFuture bound = new Bootstrap().group(loop).channelFactory(channelFactory::get)
                .option(ChannelOption.SO_RCVBUF, 256 * 1024)
                .handler(new RelayChannelHandler(allocation))
                .bind(address);
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                // Taken by some other process: leave it marked used and try another port.
                bind(allocation, loop, even, attemptsLeft - 1, done, failed);
                return;
            }
            Channel channel = bound.channel();
            if (allocation.closed()) {
                channel.close();
                ports.release(port.getAsInt());
                return;
            }
            allocation.attach(channel, address);
            byRelay.put(address, allocation);
            channel.closeFuture().addListener(c -> ports.release(port.getAsInt()));
            done.accept(allocation);
        });
    }

    void removed(Allocation allocation) {
        if (byTuple.remove(allocation.fiveTuple(), allocation)) {
            quota.release(allocation.credential().userId(), allocation.credential().roomId());
        }
        if (allocation.relayAddress() != null) {
            byRelay.remove(allocation.relayAddress(), allocation);
        }
    }

    /** Closes every allocation on its own loop. */
    public void closeAll() {
        List<Allocation> all = new ArrayList<>(byTuple.values());
        for (Allocation a : all) {
            if (a.loop().inEventLoop()) {
                a.close();
            } else {
                a.loop().execute(a::close);
            }
        }
    }
}
