package io.kezdesu.relay.allocation;

import io.kezdesu.relay.auth.Credential;
import io.kezdesu.common.ratelimit.AddressKey;
import io.kezdesu.relay.metrics.RelayMetrics;
import io.kezdesu.relay.policy.AddressMapper;
import io.kezdesu.relay.policy.QuotaPolicy;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All allocations, by 5-tuple and by relayed address. Creation is asynchronous (the relay socket is bound on the
 * allocation's own event loop, never blocking it); quota is reserved before binding and released on close.
 */
public final class AllocationManager {

    /** Ports found taken by another process are skipped; after this many, the server reports 508. */
    private static final Logger log = LoggerFactory.getLogger(AllocationManager.class);
    private static final int BIND_ATTEMPTS = 8;
    static final int RESERVATION_SECONDS = 30;
    /** Flush at least every this many writes even within one batch. */
    static final int FLUSH_AFTER = 64;
    /** Relayed sockets kept bound per event loop after their allocation ends, and for how long. */
    static final int IDLE_SOCKETS_PER_LOOP = 64;
    static final long IDLE_SOCKET_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ConcurrentHashMap<FiveTuple, Allocation> byTuple = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, Allocation> byRelay = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> reservations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<EventLoop, IdleRelaySockets> idle = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final PortPool ports;
    private final InetAddress relayIp;
    private final AddressMapper mapper;
    private final QuotaPolicy quota;
    private final UdpSockets udp;
    private final long maxBps;
    private final int maxChannelNumber;
    private final RelayMetrics metrics = new RelayMetrics(byTuple::size);

    public AllocationManager(InetAddress relayIp, int minPort, int maxPort, AddressMapper mapper, QuotaPolicy quota,
                             UdpSockets udp, long maxBps,
                             int maxChannelNumber) {
        this.maxChannelNumber = maxChannelNumber;
        this.relayIp = relayIp;
        this.ports = new PortPool(minPort, maxPort);
        this.mapper = mapper;
        this.quota = quota;
        this.udp = udp;
        this.maxBps = maxBps;
    }

    /** Counted by the allocations and handlers; exposed by {@code RelayServer.metrics()}. */
    public RelayMetrics metrics() {
        return metrics;
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

    /** How an Allocate asks for its port (RFC 8656 §7.2 steps 4–5). */
    public sealed interface PortRequest {
        record Any() implements PortRequest { }

        /** EVEN-PORT; with {@code reserveNext}, the odd port above is held for a later RESERVATION-TOKEN. */
        record Even(boolean reserveNext) implements PortRequest { }

        record Reserved(byte[] token) implements PortRequest { }
    }

    /** The outcome handed to the Allocate handler: the allocation and, when one was reserved, the token. */
    public record Created(Allocation allocation, byte[] reservationToken) { }

    /**
     * RFC 8656 §7.2 steps: reserve quota (486), register the 5-tuple (437 if taken), pick a port (508 when the range
     * is exhausted or the token is unknown), bind. {@code done} runs on the allocation's loop.
     */
    public void create(FiveTuple tuple, ClientLink client, Credential credential, byte[] tid, EventLoop loop,
                       PortRequest portRequest, Consumer<Created> done, Consumer<TurnException> failed) {
        String source = AddressKey.of(tuple.client().getAddress());
        if (!quota.tryAcquire(credential.userId(), credential.roomId(), source)) {
            throw new TurnException(StunError.ALLOCATION_QUOTA_REACHED, "quota");
        }
        Allocation allocation = new Allocation(tuple, client, credential, tid, loop, this, maxBps, maxChannelNumber);
        if (byTuple.putIfAbsent(tuple, allocation) != null) {
            quota.release(credential.userId(), credential.roomId(), source);
            throw new TurnException(StunError.ALLOCATION_MISMATCH, "5-tuple in use");
        }
        if (portRequest instanceof PortRequest.Reserved r) {
            Integer port = reservations.remove(ByteBuffer.wrap(r.token()).getLong());
            if (port == null) {
                allocation.close();
                throw new TurnException(StunError.INSUFFICIENT_CAPACITY, "unknown reservation token");
            }
            bindPort(allocation, loop, port, null, () -> {
                allocation.close();
                failed.accept(new TurnException(StunError.INSUFFICIENT_CAPACITY, "reserved port unavailable"));
            }, done);
            return;
        }
        if (portRequest instanceof PortRequest.Any) {
            IdleRelaySockets.Socket socket = idle(loop).take();
            if (socket != null) {
                socket.handler().attach(allocation);
                attached(allocation, socket, null, done);
                return;
            }
        }
        boolean reserve = portRequest instanceof PortRequest.Even e && e.reserveNext();
        bind(allocation, loop, portRequest instanceof PortRequest.Even, reserve, BIND_ATTEMPTS, false, done, failed);
    }

    private void bind(Allocation allocation, EventLoop loop, boolean even, boolean reserve, int attemptsLeft,
                      boolean idleFreed, Consumer<Created> done, Consumer<TurnException> failed) {
        OptionalInt port = attemptsLeft <= 0 ? OptionalInt.empty() : reserve ? ports.takePair() : ports.take(even);
        if (port.isEmpty() && attemptsLeft > 0 && !idleFreed && !idle.isEmpty()) {
            // Idle sockets may hold the free ports, on any loop (and EVEN-PORT cannot take one): close them all,
            // then try once more.
            freeIdleSockets(loop, () -> bind(allocation, loop, even, reserve, attemptsLeft, true, done, failed));
            return;
        }
        if (port.isEmpty()) {
            allocation.close();
            failed.accept(new TurnException(StunError.INSUFFICIENT_CAPACITY, "no relay port"));
            return;
        }
        byte[] token = reserve ? reserve(port.getAsInt() + 1, loop) : null;
        // A port taken by some other process stays marked used; try another one.
        bindPort(allocation, loop, port.getAsInt(), token, () -> {
            if (token != null) {
                releaseReservation(token);
            }
            bind(allocation, loop, even, reserve, attemptsLeft - 1, idleFreed, done, failed);
        }, done);
    }

    /** Closes the idle sockets of every loop (each on its own), then runs {@code then} on {@code loop}. */
    private void freeIdleSockets(EventLoop loop, Runnable then) {
        List<Map.Entry<EventLoop, IdleRelaySockets>> all = new ArrayList<>(idle.entrySet());
        AtomicInteger pending = new AtomicInteger(all.size());
        for (Map.Entry<EventLoop, IdleRelaySockets> e : all) {
            e.getKey().execute(() -> {
                e.getValue().clear();
                if (pending.decrementAndGet() == 0) {
                    loop.execute(then);
                }
            });
        }
    }

    private void bindPort(Allocation allocation, EventLoop loop, int port, byte[] token, Runnable onBindFailure,
                          Consumer<Created> done) {
        InetSocketAddress address = new InetSocketAddress(relayIp, port);
        RelayChannelHandler handler = new RelayChannelHandler(allocation);
        ChannelFuture bound = udp.bootstrap().group(loop)
                .option(ChannelOption.SO_RCVBUF, 256 * 1024)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        // Sends to the peer happen while the client's listener is reading a batch: coalesce their
                        // flushes into one per event-loop turn (sendmmsg with epoll).
                        ch.pipeline().addLast(new FlushConsolidationHandler(FLUSH_AFTER, true), handler);
                    }
                })
                .bind(address);
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                onBindFailure.run();
                return;
            }
            Channel channel = bound.channel();
            channel.closeFuture().addListener(c -> ports.release(port));
            if (allocation.closed()) {
                channel.close();
                return;
            }
            attached(allocation, new IdleRelaySockets.Socket(channel, address, handler), token, done);
        });
    }

    private void attached(Allocation allocation, IdleRelaySockets.Socket socket, byte[] token,
                          Consumer<Created> done) {
        allocation.attach(socket);
        byRelay.put(socket.address(), allocation);
        metrics.allocationCreated();
        if (log.isDebugEnabled()) {
            log.debug("[{}] allocated for {} ({})", allocation, allocation.credential(), allocation.fiveTuple()
                    .transport());
        }
        done.accept(new Created(allocation, token));
    }

    /** The relayed sockets idle on this loop; only that loop touches them. */
    private IdleRelaySockets idle(EventLoop loop) {
        return idle.computeIfAbsent(loop, l -> new IdleRelaySockets(l, IDLE_SOCKETS_PER_LOOP, IDLE_SOCKET_NANOS));
    }

    /** An ended allocation's socket, on its loop: kept for the next allocation there, or closed. */
    void recycle(IdleRelaySockets.Socket socket, EventLoop loop) {
        if (closing) {
            socket.channel().close();
        } else {
            idle(loop).offer(socket);
        }
    }

    /** RFC 8656 §7.2 step 5: hold the odd port for {@link #RESERVATION_SECONDS}; the token redeems it once. */
    private byte[] reserve(int port, EventLoop loop) {
        long token = Unpredictable.nextLong();
        reservations.put(token, port);
        loop.schedule(() -> {
            if (reservations.remove(token, port)) {
                ports.release(port);
            }
        }, RESERVATION_SECONDS, TimeUnit.SECONDS);
        return ByteBuffer.allocate(8).putLong(token).array();
    }

    private void releaseReservation(byte[] token) {
        Integer port = reservations.remove(ByteBuffer.wrap(token).getLong());
        if (port != null) {
            ports.release(port);
        }
    }

    void removed(Allocation allocation) {
        if (byTuple.remove(allocation.fiveTuple(), allocation)) {
            quota.release(allocation.credential().userId(), allocation.credential().roomId(),
                    AddressKey.of(allocation.fiveTuple().client().getAddress()));
        }
        if (allocation.relayAddress() != null) {
            byRelay.remove(allocation.relayAddress(), allocation);
        }
    }

    /** Closes every allocation and every idle relayed socket on its own loop. */
    public void closeAll() {
        closing = true;
        idle.forEach((loop, sockets) -> {
            if (loop.inEventLoop()) {
                sockets.clear();
            } else {
                loop.execute(sockets::clear);
            }
        });
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
