package io.kezdesu.relay.policy;

import io.kezdesu.common.config.AddressMapping;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * coturn's {@code external-ip} for a relay behind 1:1 NAT. Outbound ({@link #toPublic}): a relayed address the server
 * emits (XOR-RELAYED-ADDRESS, XOR-PEER-ADDRESS of our own relays) is rewritten private→public. Inbound
 * ({@link #toPrivate}): a peer address naming our public address is rewritten public→private, so two clients of
 * this relay reach each other. XOR-MAPPED-ADDRESS is the client's own reflexive address and is never mapped
 * (coturn behaves the same). A mapping without a private part applies to every local address.
 */
public final class AddressMapper {

    private final List<AddressMapping> mappings;

    public AddressMapper(List<AddressMapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    public InetSocketAddress toPublic(InetSocketAddress local) {
        for (AddressMapping m : mappings) {
            if (m.privateAddress().isEmpty() || m.privateAddress().get().equals(local.getAddress())) {
                if (sameFamily(m.publicAddress(), local.getAddress())) {
                    return new InetSocketAddress(m.publicAddress(), local.getPort());
                }
            }
        }
        return local;
    }

    /** The private address for a public one of ours; {@code privateWhenUnpaired} stands in for a bare mapping. */
    public InetSocketAddress toPrivate(InetSocketAddress peer, InetAddress privateWhenUnpaired) {
        for (AddressMapping m : mappings) {
            if (m.publicAddress().equals(peer.getAddress())) {
                return new InetSocketAddress(m.privateAddress().orElse(privateWhenUnpaired), peer.getPort());
            }
        }
        return peer;
    }

    public boolean isEmpty() {
        return mappings.isEmpty();
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }
}
