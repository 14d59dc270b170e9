package io.kezdesu.relay.stun;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalInt;

/**
 * A decoded STUN message: the header plus the attributes this server understands, read up to MESSAGE-INTEGRITY
 * (RFC 8489 §14.5: attributes after it, other than FINGERPRINT, are ignored). Values only; decoding lives in the
 * ice4j adapter. {@code integrityOffset} is where MESSAGE-INTEGRITY starts in {@code raw}, or -1.
 */
public record StunMessage(
        int type,
        byte[] transactionId,
        String username,
        String realm,
        String nonce,
        OptionalInt lifetime,
        OptionalInt requestedTransport,
        OptionalInt channelNumber,
        OptionalInt changeRequest,
        OptionalInt requestedFamily,
        OptionalInt additionalFamily,
        byte[] data,
        boolean dontFragment,
        boolean evenPort,
        boolean reserveNextPort,
        byte[] reservationToken,
        List<InetSocketAddress> peerAddresses,
        List<Integer> unknownRequired,
        byte[] raw,
        int integrityOffset) {

    public int method() {
        return StunTypes.method(type);
    }

    public StunTypes.Kind kind() {
        return StunTypes.kind(type);
    }

    public boolean hasIntegrity() {
        return integrityOffset >= 0;
    }
}
