package io.kezdesu.relay.ice4j;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.stun.MalformedStunException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.ice4j.StunException;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeDecoder;
import org.ice4j.attribute.ChannelNumberAttribute;
import org.ice4j.attribute.DataAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.attribute.RequestedTransportAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;

/** Mutable scratch for one decode: each attribute before MESSAGE-INTEGRITY, read through ice4j's decoders. */
final class DecodedFields {
    String username;
    String realm;
    String nonce;
    OptionalInt lifetime = OptionalInt.empty();
    OptionalInt transport = OptionalInt.empty();
    OptionalInt channel = OptionalInt.empty();
    OptionalInt family = OptionalInt.empty();
    OptionalInt additionalFamily = OptionalInt.empty();
    byte[] data;
    boolean dontFragment;
    boolean evenPort;
    boolean reserve;
    byte[] token;
    final List<InetSocketAddress> peers = new ArrayList<>(2);
    final List<Integer> unknown = new ArrayList<>(0);
    /** RFC 5780 CHANGE-REQUEST flags (0x04 change IP, 0x02 change port), when present. */
    OptionalInt changeRequest = OptionalInt.empty();

    void read(byte[] raw, int pos, int type, int length, byte[] tid) throws MalformedStunException {
        try {
            switch (type) {
                case ATTR_USERNAME -> username = utf8(((UsernameAttribute) ice(raw, pos)).getUsername());
                case ATTR_REALM -> realm = utf8(((RealmAttribute) ice(raw, pos)).getRealm());
                case ATTR_NONCE -> nonce = utf8(((NonceAttribute) ice(raw, pos)).getNonce());
                case ATTR_LIFETIME -> lifetime = OptionalInt.of(((LifetimeAttribute) ice(raw, pos)).getLifetime());
                case ATTR_REQUESTED_TRANSPORT -> transport = OptionalInt.of(
                        ((RequestedTransportAttribute) ice(raw, pos)).getRequestedTransport());
                case ATTR_CHANNEL_NUMBER -> channel = OptionalInt.of(
                        ((ChannelNumberAttribute) ice(raw, pos)).getChannelNumber());
                case ATTR_DATA -> data = ((DataAttribute) ice(raw, pos)).getData();
                case ATTR_XOR_PEER_ADDRESS -> {
                    TransportAddress t = ((XorPeerAddressAttribute) ice(raw, pos)).getAddress(tid);
                    peers.add(new InetSocketAddress(InetAddress.getByAddress(t.getAddressBytes()), t.getPort()));
                }
                // Read by hand: ice4j does not decode these (or, for EVEN-PORT, not its R bit).
                case ATTR_DONT_FRAGMENT -> dontFragment = true;
                case ATTR_CHANGE_REQUEST -> {
                    if (length != 4) {
                        throw new MalformedStunException("CHANGE-REQUEST length " + length);
                    }
                    changeRequest = OptionalInt.of(raw[pos + 7] & 0x06);
                    // Unknown to every method but a Binding where RFC 5780 is served, which looks past it.
                    unknown.add(type);
                }
                case ATTR_EVEN_PORT -> {
                    evenPort = true;
                    reserve = length >= 1 && (raw[pos + 4] & 0x80) != 0;
                }
                case ATTR_RESERVATION_TOKEN -> {
                    if (length != 8) {
                        throw new MalformedStunException("RESERVATION-TOKEN length " + length);
                    }
                    token = java.util.Arrays.copyOfRange(raw, pos + 4, pos + 12);
                }
                case ATTR_REQUESTED_ADDRESS_FAMILY -> family = OptionalInt.of(length >= 1 ? raw[pos + 4] & 0xFF : 0);
                case ATTR_ADDITIONAL_ADDRESS_FAMILY -> additionalFamily = OptionalInt.of(
                        length >= 1 ? raw[pos + 4] & 0xFF : 0);
                // Known and harmless to the server: addresses and codes a client would not send, integrity.
                case ATTR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS, ATTR_ERROR_CODE, ATTR_UNKNOWN_ATTRIBUTES,
                     ATTR_XOR_RELAYED_ADDRESS -> { }
                default -> {
                    if (comprehensionRequired(type)) {
                        unknown.add(type);
                    }
                }
            }
        } catch (StunException | RuntimeException | java.net.UnknownHostException e) {
            // ice4j signals bad attribute bodies with assorted runtime exceptions; all mean "malformed".
            throw new MalformedStunException("attribute 0x" + Integer.toHexString(type) + ": " + e.getMessage());
        }
    }

    private static Attribute ice(byte[] raw, int pos) throws StunException {
        return AttributeDecoder.decode(raw, pos, raw.length - pos);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
