package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.allocation.AllocationManager;
import io.kezdesu.relay.allocation.AllocationManager.Families;
import io.kezdesu.relay.allocation.AllocationManager.PortRequest;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** RFC 8656 §7.2: receiving an Allocate request. */
final class AllocateHandler {

    private static final int TRY_ALTERNATE = 300;

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
        // A draining relay takes no new allocations: it names another relay (RFC 8489 §10: an authenticated request,
        // and the 300 is signed), or, knowing none, says it has no capacity.
        if (services.drain().active()) {
            Drain.Alternate alternate = services.drain().alternateFor(tx.fiveTuple())
                    .orElseThrow(() -> new TurnException(StunError.INSUFFICIENT_CAPACITY, "draining, no alternate"));
            services.allocations().metrics().allocationRefused(TRY_ALTERNATE);
            List<OutAttribute> attributes = new ArrayList<>(3);
            attributes.add(new OutAttribute.ErrorCode(TRY_ALTERNATE, "Try Alternate"));
            attributes.add(new OutAttribute.AlternateServer(alternate.address()));
            alternate.domain().filter(d -> tx.fiveTuple().transport() == FiveTuple.Transport.TLS)
                    .ifPresent(d -> attributes.add(new OutAttribute.AlternateDomain(d)));
            tx.error(attributes);
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
        Families families = families(m);
        // Steps 4–5: a RESERVATION-TOKEN excludes EVEN-PORT and either family attribute (400).
        PortRequest ports;
        if (m.reservationToken() != null) {
            if (m.evenPort() || m.requestedFamily().isPresent() || m.additionalFamily().isPresent()) {
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
                families, ports, created -> {
                    created.allocation().refresh(lifetime);
                    respond(tx, created.allocation(), lifetime, created.reservationToken());
                }, e -> fail.accept(tx, e));
    }

    /**
     * RFC 8656 §7.2 (and RFC 6156 before it): REQUESTED-ADDRESS-FAMILY picks the family (440 when not served);
     * ADDITIONAL-ADDRESS-FAMILY, whose only valid value is IPv6 (else 400), asks for IPv6 besides IPv4; both together
     * → 400. Without either, IPv4 — or IPv6 on a relay that serves only IPv6, as before relay-ip took two families,
     * rather than the 440 a strict reading gives: clients rarely send the attribute. A dual allocation on a relay
     * without IPv4 is likewise IPv6 alone, with ADDRESS-ERROR-CODE for IPv4 in the success.
     */
    private Families families(StunMessage m) {
        AllocationManager allocations = services.allocations();
        if (m.requestedFamily().isPresent() && m.additionalFamily().isPresent()) {
            throw new TurnException(StunError.BAD_REQUEST, "REQUESTED-ADDRESS-FAMILY with ADDITIONAL-ADDRESS-FAMILY");
        }
        if (m.additionalFamily().isPresent() && m.additionalFamily().getAsInt() != StunTypes.FAMILY_IPV6) {
            throw new TurnException(StunError.BAD_REQUEST, "ADDITIONAL-ADDRESS-FAMILY " + m.additionalFamily());
        }
        if (m.requestedFamily().isPresent()) {
            int family = m.requestedFamily().getAsInt();
            if (!allocations.serves(family)) {
                throw new TurnException(StunError.ADDRESS_FAMILY_NOT_SUPPORTED, "family " + family);
            }
            return new Families(family, false);
        }
        if (allocations.serves(StunTypes.FAMILY_IPV4)) {
            return new Families(StunTypes.FAMILY_IPV4, m.additionalFamily().isPresent());
        }
        return new Families(StunTypes.FAMILY_IPV6, false);
    }

    private void respond(Transaction tx, Allocation allocation, Duration lifetime, byte[] reservationToken) {
        List<OutAttribute> attributes = new ArrayList<>(5);
        for (InetSocketAddress relayed : allocation.relayAddresses()) {
            attributes.add(new OutAttribute.XorRelayedAddress(services.allocations().emitted(relayed)));
        }
        if (allocation.addressError() != null) {
            attributes.add(allocation.addressError());
        } else if (tx.request().additionalFamily().isPresent()
                && !services.allocations().serves(StunTypes.FAMILY_IPV4)) {
            attributes.add(new OutAttribute.AddressErrorCode(StunTypes.FAMILY_IPV4,
                    StunError.ADDRESS_FAMILY_NOT_SUPPORTED.code(), "Address Family not Supported"));
        }
        attributes.add(new OutAttribute.Lifetime((int) lifetime.toSeconds()));
        if (reservationToken != null) {
            attributes.add(new OutAttribute.ReservationToken(reservationToken));
        }
        attributes.add(new OutAttribute.XorMappedAddress(tx.fiveTuple().client()));
        tx.success(attributes);
    }
}
