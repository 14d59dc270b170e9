package io.kezdesu.relay.stun;

import java.net.InetSocketAddress;
import java.util.List;

/** An attribute the server emits; the ice4j adapter encodes each. */
public sealed interface OutAttribute {

    record XorMappedAddress(InetSocketAddress address) implements OutAttribute { }

    record XorRelayedAddress(InetSocketAddress address) implements OutAttribute { }

    record XorPeerAddress(InetSocketAddress address) implements OutAttribute { }

    record Lifetime(int seconds) implements OutAttribute { }

    /** RFC 8489 §14.8; the reason phrase may be empty (small 401s). */
    record ErrorCode(int code, String reason) implements OutAttribute { }

    /**
     * RFC 8656 §18.12: why the relayed address of {@code family} ({@link StunTypes#FAMILY_IPV4} or
     * {@link StunTypes#FAMILY_IPV6}) was not allocated, in an otherwise successful Allocate response.
     */
    record AddressErrorCode(int family, int code, String reason) implements OutAttribute { }

    record UnknownAttributes(List<Integer> types) implements OutAttribute { }

    record Realm(String realm) implements OutAttribute { }

    record Nonce(String nonce) implements OutAttribute { }

    record Data(byte[] bytes) implements OutAttribute { }

    record ReservationToken(byte[] token) implements OutAttribute { }

    record Software(String name) implements OutAttribute { }

    /** RFC 8489 §14.15: where a 300 Try Alternate sends the client (a plain address, like MAPPED-ADDRESS). */
    record AlternateServer(InetSocketAddress address) implements OutAttribute { }

    /** RFC 8489 §14.16: the name the client checks the alternate's TLS certificate against. */
    record AlternateDomain(String domain) implements OutAttribute { }

    // Sent only by the client side (StunClient / kezdesu probe).

    record Username(String name) implements OutAttribute { }

    record RequestedTransport(int protocol) implements OutAttribute { }

    /** RFC 5780 §7.2. */
    record ChangeRequest(boolean changeIp, boolean changePort) implements OutAttribute { }

    /** RFC 5780 §7.4: the server's other address and port (a plain, not XOR-ed, address). */
    record OtherAddress(InetSocketAddress address) implements OutAttribute { }

    /** RFC 5780 §7.3: the address and port the response was sent from. */
    record ResponseOrigin(InetSocketAddress address) implements OutAttribute { }
}
