package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.TurnException;
import io.kezdesu.relay.allocation.AllocationManager;
import java.time.Duration;
import java.util.List;

/** RFC 8656 §7.5: receiving a Refresh request; a LIFETIME of 0 deletes the allocation. */
final class RefreshHandler {

    private final TurnServices services;

    RefreshHandler(TurnServices services) {
        this.services = services;
    }

    void handle(Transaction tx) {
        StunMessage m = tx.request();
        Allocation allocation = Handlers.existing(services, tx);
        // RFC 8656 §7.5: a REQUESTED-ADDRESS-FAMILY the allocation has no relayed address of → 443. A dual
        // allocation is refreshed (or deleted) as a whole.
        if (m.requestedFamily().isPresent() && !allocation.relayAddresses().stream().anyMatch(
                a -> AllocationManager.familyOf(a.getAddress()) == m.requestedFamily().getAsInt())) {
            throw new TurnException(StunError.PEER_ADDRESS_FAMILY_MISMATCH, "family " + m.requestedFamily());
        }
        if (m.lifetime().isPresent() && m.lifetime().getAsInt() == 0) {
            allocation.close();
            tx.success(List.of(new OutAttribute.Lifetime(0)));
            return;
        }
        Duration lifetime = Handlers.lifetime(services.config(), m.lifetime());
        allocation.refresh(lifetime);
        tx.success(List.of(new OutAttribute.Lifetime((int) lifetime.toSeconds())));
    }
}
