package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.allocation.FiveTuple;
import io.kezdesu.relay.stun.StunMessage;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;

/**
 * RFC 8656 §10.2: receiving a Send indication. Indications get no answer: anything wrong (no allocation, no
 * XOR-PEER-ADDRESS or DATA, a refused peer, no permission) drops the indication silently.
 */
final class SendIndicationHandler {

    private final TurnServices services;

    SendIndicationHandler(TurnServices services) {
        this.services = services;
    }

    void handle(StunMessage m, FiveTuple tuple) {
        Allocation allocation = services.allocations().get(tuple);
        if (allocation == null || !allocation.ready() || m.peerAddresses().isEmpty() || m.data() == null) {
            return;
        }
        InetSocketAddress peer = m.peerAddresses().get(0);
        if (!allocation.hasFamilyOf(peer.getAddress())) {
            return;
        }
        InetSocketAddress internal = services.allocations().internal(peer);
        if (!Handlers.peerAllowed(services, internal, true)) {
            return;
        }
        allocation.sendToPeer(internal, Unpooled.wrappedBuffer(m.data()));
    }
}
