package io.kezdesu.relay.server;

import io.kezdesu.relay.allocation.Allocation;
import io.kezdesu.relay.stun.StunError;
import io.kezdesu.relay.stun.StunMessage;
import io.kezdesu.relay.stun.StunTypes;
import io.kezdesu.relay.stun.TurnException;
import java.net.InetSocketAddress;
import java.util.List;

/** RFC 8656 §11.2: receiving a ChannelBind request. */
final class ChannelBindHandler {

    private final TurnServices services;

    ChannelBindHandler(TurnServices services) {
        this.services = services;
    }

    void handle(Transaction tx) {
        StunMessage m = tx.request();
        Allocation allocation = Handlers.existing(services, tx);
        // "The request contains both a CHANNEL-NUMBER and an XOR-PEER-ADDRESS attribute", the number in range.
        if (m.channelNumber().isEmpty() || m.peerAddresses().size() != 1) {
            throw new TurnException(StunError.BAD_REQUEST, "CHANNEL-NUMBER and one XOR-PEER-ADDRESS required");
        }
        int number = m.channelNumber().getAsInt();
        if (number < StunTypes.MIN_CHANNEL || number > services.config().maxChannelNumber()) {
            throw new TurnException(StunError.BAD_REQUEST, "channel number out of range");
        }
        InetSocketAddress peer = m.peerAddresses().get(0);
        Handlers.sameFamily(peer, allocation);
        InetSocketAddress internal = services.allocations().internal(peer);
        allocation.checkChannel(number, internal);
        if (!Handlers.peerAllowed(services, internal, true)) {
            throw new TurnException(StunError.FORBIDDEN, "peer refused by policy");
        }
        if (!allocation.hasPermission(internal.getAddress())
                && allocation.permissionCount() >= services.config().permissionQuota()) {
            throw new TurnException(StunError.ALLOCATION_QUOTA_REACHED, "permission quota");
        }
        allocation.bindChannel(number, internal, services.config().channelLifetime(),
                services.config().permissionLifetime());
        tx.success(List.of());
    }
}
