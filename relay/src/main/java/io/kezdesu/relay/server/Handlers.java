package io.kezdesu.relay.server;

import io.kezdesu.relay.config.RelayConfig;
import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.OptionalInt;

/** Checks shared by the TURN request handlers. */
final class Handlers {

    private Handlers() {
    }

    /**
     * RFC 8656 §5: a request other than Allocate needs an allocation on its 5-tuple (else 437), made with the same
     * username (else 441).
     */
    static Allocation existing(TurnServices services, Transaction tx) {
        Allocation a = services.allocations().get(tx.fiveTuple());
        if (a == null || !a.ready()) {
            throw new TurnException(StunError.ALLOCATION_MISMATCH, "no allocation");
        }
        if (!a.credential().username().equals(tx.credential().username())) {
            throw new TurnException(StunError.WRONG_CREDENTIALS, "allocation belongs to another user");
        }
        return a;
    }

    /**
     * RFC 8656 §7.2 / §7.5: min(requested, maximum), but never below the default; the default when absent.
     */
    static Duration lifetime(RelayConfig config, OptionalInt requestedSeconds) {
        Duration def = config.defaultAllocationLifetime();
        if (requestedSeconds.isEmpty()) {
            return def;
        }
        long requested = Integer.toUnsignedLong(requestedSeconds.getAsInt());
        Duration computed = Duration.ofSeconds(Math.min(requested, config.maxAllocationLifetime().toSeconds()));
        return computed.compareTo(def) > 0 ? computed : def;
    }

    /** RFC 8656 §9.2, §11.2: the allocation needs a relayed address of the peer's family (else 443). */
    static void sameFamily(InetSocketAddress peer, Allocation allocation) {
        if (!allocation.hasFamilyOf(peer.getAddress())) {
            throw new TurnException(StunError.PEER_ADDRESS_FAMILY_MISMATCH, "peer " + peer);
        }
    }

    /** Our own relayed addresses are always reachable (in-process); anything else goes through the peer policy. */
    static boolean peerAllowed(TurnServices services, InetSocketAddress internalPeer, boolean portMatters) {
        if (portMatters ? services.allocations().byRelayAddress(internalPeer) != null
                : services.allocations().isRelayIp(internalPeer.getAddress())) {
            return true;
        }
        if (services.peerPolicy().permits(internalPeer)) {
            return true;
        }
        services.allocations().metrics().peerDenied();
        return false;
    }
}
