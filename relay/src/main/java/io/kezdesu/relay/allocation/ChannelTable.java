package io.kezdesu.relay.allocation;

import static io.kezdesu.relay.stun.StunTypes.MIN_CHANNEL;

import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The channel bindings of one allocation, indexed both ways; enforces RFC 8656 §11.2's rebinding rules, including
 * §12's quarantine: after a binding expires, neither its number nor its peer may be bound to anything else for
 * {@link #QUARANTINE_NANOS} (so late ChannelData for the old pair cannot reach a new peer). Rebinding the same pair is
 * allowed. Quarantined entries are forgotten lazily.
 */
final class ChannelTable {

    static final long QUARANTINE_NANOS = TimeUnit.MINUTES.toNanos(5);

    private final int maxNumber;
    private final LongSupplier clock;
    // Made on first use: most allocations bind a channel or two and never see an expiry, and four empty maps are
    // 200 bytes of every allocation's heap (docs/BENCHMARKS.md, heap per allocation).
    private Map<Integer, ChannelBinding> byNumber = Map.of();
    private Map<InetSocketAddress, ChannelBinding> byPeer = Map.of();
    private Map<Integer, Quarantined> quarantinedNumbers = Map.of();
    private Map<InetSocketAddress, Quarantined> quarantinedPeers = Map.of();

    private record Quarantined(int number, InetSocketAddress peer, long untilNanos) { }

    ChannelTable(int maxNumber) {
        this(maxNumber, System::nanoTime);
    }

    ChannelTable(int maxNumber, LongSupplier clock) {
        this.maxNumber = maxNumber;
        this.clock = clock;
    }

    /**
     * The binding to refresh: an existing one for exactly this (number, peer), or a new one. Throws 400 when the
     * number is out of range, "already bound to a different transport address", or the address "is currently bound
     * to a different channel number".
     */
    ChannelBinding bind(int number, InetSocketAddress peer) {
        ChannelBinding existing = check(number, peer);
        if (existing != null) {
            return existing;
        }
        ChannelBinding created = new ChannelBinding(number, peer);
        if (!(byNumber instanceof HashMap)) {
            byNumber = new HashMap<>(4);
            byPeer = new HashMap<>(4);
        }
        byNumber.put(number, created);
        byPeer.put(peer, created);
        return created;
    }

    /** The rules of {@link #bind} without binding: the existing binding for (number, peer), or null if new. */
    ChannelBinding check(int number, InetSocketAddress peer) {
        if (number < MIN_CHANNEL || number > maxNumber) {
            throw new TurnException(StunError.BAD_REQUEST, "channel number 0x" + Integer.toHexString(number));
        }
        ChannelBinding existing = byNumber.get(number);
        if (existing != null) {
            if (!existing.peer().equals(peer)) {
                throw new TurnException(StunError.BAD_REQUEST, "channel bound to another peer");
            }
            return existing;
        }
        if (byPeer.containsKey(peer)) {
            throw new TurnException(StunError.BAD_REQUEST, "peer bound to another channel");
        }
        long now = clock.getAsLong();
        if (conflicts(quarantinedNumbers.get(number), number, peer, now)
                || conflicts(quarantinedPeers.get(peer), number, peer, now)) {
            throw new TurnException(StunError.BAD_REQUEST, "channel or peer in its post-expiry quarantine");
        }
        return null;
    }

    private boolean conflicts(Quarantined q, int number, InetSocketAddress peer, long now) {
        if (q == null) {
            return false;
        }
        if (now - q.untilNanos() >= 0) {
            quarantinedNumbers.remove(q.number(), q);
            quarantinedPeers.remove(q.peer(), q);
            return false;
        }
        return q.number() != number || !q.peer().equals(peer);
    }

    /** A binding's lifetime ran out: remove it and quarantine its number and peer. */
    void expire(ChannelBinding binding) {
        if (byNumber.remove(binding.number(), binding)) {
            byPeer.remove(binding.peer(), binding);
            Quarantined q = new Quarantined(binding.number(), binding.peer(), clock.getAsLong() + QUARANTINE_NANOS);
            if (!(quarantinedNumbers instanceof HashMap)) {
                quarantinedNumbers = new HashMap<>(4);
                quarantinedPeers = new HashMap<>(4);
            }
            quarantinedNumbers.put(q.number(), q);
            quarantinedPeers.put(q.peer(), q);
        }
    }

    ChannelBinding byNumber(int number) {
        return byNumber.get(number);
    }

    ChannelBinding byPeer(InetSocketAddress peer) {
        return byPeer.get(peer);
    }

    void cancelAll() {
        byNumber.values().forEach(ChannelBinding::cancel);
    }

    int size() {
        return byNumber.size();
    }
}
