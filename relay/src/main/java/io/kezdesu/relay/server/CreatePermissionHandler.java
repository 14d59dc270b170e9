package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * RFC 8656 §9.2: receiving a CreatePermission request. All XOR-PEER-ADDRESS attributes are checked before any is
 * installed ("the server MUST NOT install any permission" if one fails).
 */
final class CreatePermissionHandler {

    private final TurnServices services;

    CreatePermissionHandler(TurnServices services) {
        this.services = services;
    }

    void handle(Transaction tx) {
        StunMessage m = tx.request();
        Allocation allocation = Handlers.existing(services, tx);
        if (m.peerAddresses().isEmpty()) {
            throw new TurnException(StunError.BAD_REQUEST, "no XOR-PEER-ADDRESS");
        }
        Set<InetAddress> peers = new LinkedHashSet<>();
        for (InetSocketAddress peer : m.peerAddresses()) {
            Handlers.sameFamily(peer, allocation);
            InetSocketAddress internal = services.allocations().internal(peer);
            if (!Handlers.peerAllowed(services, internal, false)) {
                throw new TurnException(StunError.FORBIDDEN, "peer refused by policy");
            }
            peers.add(internal.getAddress());
        }
        long fresh = peers.stream().filter(p -> !allocation.hasPermission(p)).count();
        if (allocation.permissionCount() + fresh > services.config().permissionQuota()) {
            throw new TurnException(StunError.ALLOCATION_QUOTA_REACHED, "permission quota");
        }
        peers.forEach(p -> allocation.permit(p, services.config().permissionLifetime()));
        tx.success(List.of());
    }
}
