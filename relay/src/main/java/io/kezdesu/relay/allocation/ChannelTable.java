package io.kezdesu.relay.allocation;

import static io.kezdesu.relay.stun.StunTypes.MIN_CHANNEL;

import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** The channel bindings of one allocation, indexed both ways; enforces RFC 8656 §11.2's rebinding rules. */
final class ChannelTable {

    private final int maxNumber;
    private final Map<Integer, ChannelBinding> byNumber = new HashMap<>();
    private final Map<InetSocketAddress, ChannelBinding> byPeer = new HashMap<>();

    ChannelTable(int maxNumber) {
        this.maxNumber = maxNumber;
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
        return null;
    }

    ChannelBinding byNumber(int number) {
        return byNumber.get(number);
    }

    ChannelBinding byPeer(InetSocketAddress peer) {
        return byPeer.get(peer);
    }

    void remove(ChannelBinding binding) {
        byNumber.remove(binding.number(), binding);
        byPeer.remove(binding.peer(), binding);
    }

    void cancelAll() {
        byNumber.values().forEach(ChannelBinding::cancel);
    }

    int size() {
        return byNumber.size();
    }
}
