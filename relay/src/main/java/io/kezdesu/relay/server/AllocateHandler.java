package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.allocation.AllocationManager.PortRequest;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.kezdesu.relay.stun.TurnException;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** RFC 8656 §7.2: receiving an Allocate request. */
final class AllocateHandler {

    private final TurnServices services;

    AllocateHandler(TurnServices services) {
        this.services = services;
    }

    void handle(Transaction tx, BiConsumer<Transaction, TurnException> fail) {
        StunMessage m = tx.request();
        // Step 2: "the server checks if the 5-tuple is currently in use by an existing allocation" → 437, except
        // that a retransmitted Allocate gets the original success again (§7.2, last paragraph).
        Allocation existing = services.allocations().get(tx.fiveTuple());
        if (existing != null) {
            if (!existing.createdBy(m.transactionId())) {
                throw new TurnException(StunError.ALLOCATION_MISMATCH, "5-tuple already allocated");
            }
            if (existing.ready()) {
                respond(tx, existing, existing.lifetime(), null);
            }
            return;
        }
        // Step 3: REQUESTED-TRANSPORT missing or malformed → 400, not UDP → 442.
        if (m.requestedTransport().isEmpty()) {
            throw new TurnException(StunError.BAD_REQUEST, "no REQUESTED-TRANSPORT");
        }
        if (m.requestedTransport().getAsInt() != StunTypes.PROTOCOL_UDP) {
            throw new TurnException(StunError.UNSUPPORTED_TRANSPORT, "transport " + m.requestedTransport());
        }
        // Step 4: DONT-FRAGMENT is accepted: Linux UDP sockets default to path-MTU discovery, which sets DF.
        // REQUESTED-ADDRESS-FAMILY (RFC 8656 §7.2 step 7): only the relay address's family is offered.
        int family = services.allocations().relayIp() instanceof Inet4Address ? 0x01 : 0x02;
        if (m.requestedFamily().isPresent() && m.requestedFamily().getAsInt() != family) {
            throw new TurnException(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, "family " + m.requestedFamily());
        }
        // Steps 4–5: a RESERVATION-TOKEN excludes EVEN-PORT and REQUESTED-ADDRESS-FAMILY (400).
        PortRequest ports;
        if (m.reservationToken() != null) {
            if (m.evenPort() || m.requestedFamily().isPresent()) {
                throw new TurnException(StunError.BAD_REQUEST, "RESERVATION-TOKEN with EVEN-PORT or family");
            }
            ports = new PortRequest.Reserved(m.reservationToken());
        } else if (m.evenPort()) {
            ports = new PortRequest.Even(m.reserveNextPort());
        } else {
            ports = new PortRequest.Any();
        }
        Duration lifetime = Handlers.lifetime(services.config(), m.lifetime());
        // Steps 6–10 (quota 486, port 508) and the bind happen in the manager; the answer comes when bound.
        services.allocations().create(tx.fiveTuple(), tx.link(), tx.credential(), m.transactionId(), tx.loop(),
                ports, created -> {
                    created.allocation().refresh(lifetime);
                    respond(tx, created.allocation(), lifetime, created.reservationToken());
                }, e -> fail.accept(tx, e));
    }

    private void respond(Transaction tx, Allocation allocation, Duration lifetime, byte[] reservationToken) {
        List<OutAttribute> attributes = new ArrayList<>(4);
        attributes.add(new OutAttribute.XorRelayedAddress(services.allocations().emitted(allocation.relayAddress())));
        attributes.add(new OutAttribute.Lifetime((int) lifetime.toSeconds()));
        if (reservationToken != null) {
            attributes.add(new OutAttribute.ReservationToken(reservationToken));
        }
        attributes.add(new OutAttribute.XorMappedAddress(tx.fiveTuple().client()));
        tx.success(attributes);
    }
}
