package io.kezdesu.relay.allocation;

import static io.kezdesu.relay.stun.StunTypes.FAMILY_IPV4;
import static io.kezdesu.relay.stun.StunTypes.FAMILY_IPV6;

import io.kezdesu.relay.auth.Credential;
import io.kezdesu.common.ratelimit.AddressKey;
import io.kezdesu.relay.metrics.RelayMetrics;
import io.kezdesu.relay.policy.AddressMapper;
import io.kezdesu.relay.policy.QuotaPolicy;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.net.Inet6Address;
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
    private final ConcurrentHashMap<Long, Reservation> reservations = new ConcurrentHashMap<>();
    /** Idle relayed sockets per event loop and family: an allocation takes one of the family it asked for. */
    private final ConcurrentHashMap<IdleKey, IdleRelaySockets> idle = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final PortPool ports;
    /** The relay addresses, at most one per family (either may be null, not both). */
    private final InetAddress relayIp4;
    private final InetAddress relayIp6;
    private final AddressMapper mapper;
    private final QuotaPolicy quota;
    private final UdpSockets udp;
    private final long maxBps;
    private final int maxChannelNumber;
    private final RelayMetrics metrics = new RelayMetrics(byTuple::size);

    private record IdleKey(EventLoop loop, int family) { }

    /** An odd port held by EVEN-PORT's R bit, on the relay address of {@code family}. */
    private record Reservation(int port, int family) { }

    /** {@code relayIps}: one address, or one IPv4 and one IPv6 address (relay-ip, checked by the config). */
    public AllocationManager(List<InetAddress> relayIps, int minPort, int maxPort, AddressMapper mapper,
                             QuotaPolicy quota, UdpSockets udp, long maxBps, int maxChannelNumber) {
        this.maxChannelNumber = maxChannelNumber;
        this.relayIp4 = relayIps.stream().filter(a -> familyOf(a) == FAMILY_IPV4).findFirst().orElse(null);
        this.relayIp6 = relayIps.stream().filter(a -> familyOf(a) == FAMILY_IPV6).findFirst().orElse(null);
        if (relayIp4 == null && relayIp6 == null) {
            throw new IllegalArgumentException("no relay address");
        }
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

    /** The relay address of a family (RFC 8656 §18.5: 0x01 IPv4, 0x02 IPv6), or null if that family is not served. */
    public InetAddress relayIp(int family) {
        return family == FAMILY_IPV4 ? relayIp4 : family == FAMILY_IPV6 ? relayIp6 : null;
    }

    public boolean serves(int family) {
        return relayIp(family) != null;
    }

    /** Whether this is one of the relay addresses (permissions may name it; see {@code Handlers.peerAllowed}). */
    public boolean isRelayIp(InetAddress address) {
        return address.equals(relayIp4) || address.equals(relayIp6);
    }

    /** RFC 8656 §18.5's family octet for an address. */
    public static int familyOf(InetAddress address) {
        return address instanceof Inet6Address ? FAMILY_IPV6 : FAMILY_IPV4;
    }

    /** How the server names one of its own relayed addresses to clients: mapped to the public address. */
    public InetSocketAddress emitted(InetSocketAddress address) {
        return isRelayIp(address.getAddress()) ? mapper.toPublic(address) : address;
    }

    /** A peer address from a client, public→private when it names our external address (of the peer's family). */
    public InetSocketAddress internal(InetSocketAddress peer) {
        InetAddress sameFamily = relayIp(familyOf(peer.getAddress()));
        return mapper.toPrivate(peer, sameFamily != null ? sameFamily : peer.getAddress());
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

    /** What an Allocate asks for: the relayed address's family and, for a dual allocation, IPv6 besides. */
    public record Families(int family, boolean additionalIpv6) { }

    /**
     * RFC 8656 §7.2 steps: reserve quota (486), register the 5-tuple (437 if taken), pick a port (508 when the range
     * is exhausted or the token is unknown), bind; for a dual allocation, then the IPv6 socket, whose failure only
     * adds ADDRESS-ERROR-CODE ({@link Allocation#addressError()}). Quota counts the allocation once, whatever its
     * sockets. {@code families.family()} must be served (the handler answers 440 otherwise); a reservation token
     * brings its own family. {@code done} runs on the allocation's loop.
     */
    public void create(FiveTuple tuple, ClientLink client, Credential credential, byte[] tid, EventLoop loop,
                       Families families, PortRequest portRequest, Consumer<Created> done,
                       Consumer<TurnException> failed) {
        String source = AddressKey.of(tuple.client().getAddress());
        if (!quota.tryAcquire(credential.userId(), credential.roomId(), source)) {
            throw new TurnException(StunError.ALLOCATION_QUOTA_REACHED, "quota");
        }
        Allocation allocation = new Allocation(tuple, client, credential, tid, loop, this, maxBps, maxChannelNumber);
        if (byTuple.putIfAbsent(tuple, allocation) != null) {
            quota.release(credential.userId(), credential.roomId(), source);
            throw new TurnException(StunError.ALLOCATION_MISMATCH, "5-tuple in use");
        }
        boolean even = portRequest instanceof PortRequest.Even;
        Consumer<Created> ready = created -> {
            allocation.ready(null);
            announce(created, done);
        };
        // A dual allocation binds IPv6 once the first socket is bound (EVEN-PORT asks the same of both).
        Consumer<Created> first = families.additionalIpv6()
                ? created -> additional(created, loop, even, done) : ready;
        Consumer<TurnException> refused = e -> {
            allocation.close();
            failed.accept(e);
        };
        if (portRequest instanceof PortRequest.Reserved r) {
            Reservation reserved = reservations.remove(ByteBuffer.wrap(r.token()).getLong());
            if (reserved == null) {
                allocation.close();
                throw new TurnException(StunError.INSUFFICIENT_CAPACITY, "unknown reservation token");
            }
            bindPort(allocation, loop, reserved.family(), reserved.port(), null, () -> refused.accept(
                    new TurnException(StunError.INSUFFICIENT_CAPACITY, "reserved port unavailable")), first);
            return;
        }
        if (portRequest instanceof PortRequest.Any && takeIdle(allocation, loop, families.family())) {
            first.accept(new Created(allocation, null));
            return;
        }
        boolean reserve = portRequest instanceof PortRequest.Even e && e.reserveNext();
        bind(allocation, loop, families.family(), even, reserve, BIND_ATTEMPTS, false, first, refused);
    }

    /** The IPv6 half of a dual allocation: bound, or ADDRESS-ERROR-CODE (440 not served, 508 no port). */
    private void additional(Created created, EventLoop loop, boolean even, Consumer<Created> done) {
        Allocation allocation = created.allocation();
        if (allocation.closed()) {
            return;
        }
        Consumer<OutAttribute.AddressErrorCode> finish = error -> {
            if (allocation.closed()) {
                return; // closed meanwhile (its connection went away): nobody to answer
            }
            allocation.ready(error);
            announce(created, done);
        };
        if (relayIp6 == null) {
            finish.accept(new OutAttribute.AddressErrorCode(FAMILY_IPV6, StunError.ADDRESS_FAMILY_NOT_SUPPORTED.code(),
                    "Address Family not Supported"));
            return;
        }
        if (!even && takeIdle(allocation, loop, FAMILY_IPV6)) {
            finish.accept(null);
            return;
        }
        bind(allocation, loop, FAMILY_IPV6, even, false, BIND_ATTEMPTS, false, c -> finish.accept(null),
                e -> finish.accept(new OutAttribute.AddressErrorCode(FAMILY_IPV6, e.error().code(),
                        "Insufficient Capacity")));
    }

    private void announce(Created created, Consumer<Created> done) {
        Allocation allocation = created.allocation();
        metrics.allocationCreated();
        if (log.isDebugEnabled()) {
            log.debug("[{}] allocated for {} ({})", allocation, allocation.credential(), allocation.fiveTuple()
                    .transport());
        }
        done.accept(created);
    }

    private boolean takeIdle(Allocation allocation, EventLoop loop, int family) {
        IdleRelaySockets.Socket socket = idle(loop, family).take();
        if (socket == null) {
            return false;
        }
        socket.handler().attach(allocation);
        attached(allocation, socket);
        return true;
    }

    /** Binds a socket of {@code family}; {@code failed} gets 508 when no port is left (the caller closes). */
    private void bind(Allocation allocation, EventLoop loop, int family, boolean even, boolean reserve,
                      int attemptsLeft, boolean idleFreed, Consumer<Created> done, Consumer<TurnException> failed) {
        OptionalInt port = attemptsLeft <= 0 ? OptionalInt.empty() : reserve ? ports.takePair() : ports.take(even);
        if (port.isEmpty() && attemptsLeft > 0 && !idleFreed && !idle.isEmpty()) {
            // Idle sockets may hold the free ports, on any loop (and EVEN-PORT cannot take one): close them all,
            // then try once more.
            freeIdleSockets(loop, () -> bind(allocation, loop, family, even, reserve, attemptsLeft, true, done,
                    failed));
            return;
        }
        if (port.isEmpty()) {
            failed.accept(new TurnException(StunError.INSUFFICIENT_CAPACITY, "no relay port"));
            return;
        }
        byte[] token = reserve ? reserve(port.getAsInt() + 1, family, loop) : null;
        // A port taken by some other process stays marked used; try another one.
        bindPort(allocation, loop, family, port.getAsInt(), token, () -> {
            if (token != null) {
                releaseReservation(token);
            }
            bind(allocation, loop, family, even, reserve, attemptsLeft - 1, idleFreed, done, failed);
        }, done);
    }

    /** Closes the idle sockets of every loop (each on its own), then runs {@code then} on {@code loop}. */
    private void freeIdleSockets(EventLoop loop, Runnable then) {
        List<Map.Entry<IdleKey, IdleRelaySockets>> all = new ArrayList<>(idle.entrySet());
        AtomicInteger pending = new AtomicInteger(all.size());
        for (Map.Entry<IdleKey, IdleRelaySockets> e : all) {
            e.getKey().loop().execute(() -> {
                e.getValue().clear();
                if (pending.decrementAndGet() == 0) {
                    loop.execute(then);
                }
            });
        }
    }

    private void bindPort(Allocation allocation, EventLoop loop, int family, int port, byte[] token,
                          Runnable onBindFailure, Consumer<Created> done) {
        InetSocketAddress address = new InetSocketAddress(relayIp(family), port);
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
            attached(allocation, new IdleRelaySockets.Socket(channel, address, handler));
            done.accept(new Created(allocation, token));
        });
    }

    private void attached(Allocation allocation, IdleRelaySockets.Socket socket) {
        allocation.attach(socket);
        byRelay.put(socket.address(), allocation);
    }

    /** The relayed sockets of one family idle on this loop; only that loop touches them. */
    private IdleRelaySockets idle(EventLoop loop, int family) {
        return idle.computeIfAbsent(new IdleKey(loop, family),
                k -> new IdleRelaySockets(k.loop(), IDLE_SOCKETS_PER_LOOP, IDLE_SOCKET_NANOS));
    }

    /** An ended allocation's socket, on its loop: kept for the next allocation there, or closed. */
    void recycle(IdleRelaySockets.Socket socket, EventLoop loop) {
        if (closing) {
            socket.channel().close();
        } else {
            idle(loop, familyOf(socket.address().getAddress())).offer(socket);
        }
    }

    /** RFC 8656 §7.2 step 5: hold the odd port for {@link #RESERVATION_SECONDS}; the token redeems it once. */
    private byte[] reserve(int port, int family, EventLoop loop) {
        long token = Unpredictable.nextLong();
        Reservation reservation = new Reservation(port, family);
        reservations.put(token, reservation);
        loop.schedule(() -> {
            if (reservations.remove(token, reservation)) {
                ports.release(port);
            }
        }, RESERVATION_SECONDS, TimeUnit.SECONDS);
        return ByteBuffer.allocate(8).putLong(token).array();
    }

    private void releaseReservation(byte[] token) {
        Reservation reservation = reservations.remove(ByteBuffer.wrap(token).getLong());
        if (reservation != null) {
            ports.release(reservation.port());
        }
    }

    void removed(Allocation allocation) {
        if (byTuple.remove(allocation.fiveTuple(), allocation)) {
            quota.release(allocation.credential().userId(), allocation.credential().roomId(),
                    AddressKey.of(allocation.fiveTuple().client().getAddress()));
        }
        for (InetSocketAddress relayed : allocation.relayAddresses()) {
            byRelay.remove(relayed, allocation);
        }
    }

    /** Closes every allocation and every idle relayed socket on its own loop. */
    public void closeAll() {
        closing = true;
        idle.forEach((key, sockets) -> {
            EventLoop loop = key.loop();
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
