package io.kezdesu.relay.ice4j;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.stun.MalformedStunException;
import io.kezdesu.relay.stun.OutAttribute;
import io.kezdesu.relay.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeDecoder;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.FingerprintAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.UnknownAttributesAttribute;

/**
 * The only place that touches ice4j. Decoding walks the attribute list itself (ice4j's {@code Message} keeps one
 * attribute per type, so several XOR-PEER-ADDRESS would collapse, and it does not stop at MESSAGE-INTEGRITY) and hands
 * each attribute to ice4j's {@link AttributeDecoder}. Encoding writes the 20-byte header itself and asks ice4j for
 * each attribute's bytes plus the HMAC-SHA1 / CRC-32 helpers: {@code Message.encode} needs a {@code StunStack} and
 * ice4j's Kotlin {@code AgentConfig}, which this relay does not load.
 */
public final class StunCodec {

    private static final int MI_LENGTH = 24;
    private static final int FP_LENGTH = 8;

    private StunCodec() {
    }

    /** RFC 8489 §6.3 checks; throws for anything that must be silently discarded. */
    public static StunMessage decode(byte[] b, int off, int len) throws MalformedStunException {
        if (len < HEADER_LENGTH || (b[off] & 0xC0) != 0) {
            throw new MalformedStunException("not a STUN header");
        }
        int type = u16(b, off);
        int bodyLength = u16(b, off + 2);
        if (readInt(b, off + 4) != MAGIC_COOKIE) {
            throw new MalformedStunException("no magic cookie");
        }
        if ((bodyLength & 3) != 0 || HEADER_LENGTH + bodyLength != len) {
            throw new MalformedStunException("length " + bodyLength + " in a " + len + "-byte packet");
        }
        byte[] raw = new byte[len];
        System.arraycopy(b, off, raw, 0, len);
        byte[] tid = new byte[12];
        System.arraycopy(raw, 8, tid, 0, 12);
        DecodedFields f = new DecodedFields();
        int pos = HEADER_LENGTH;
        int integrityOffset = -1;
        while (pos < len) {
            if (pos + 4 > len) {
                throw new MalformedStunException("truncated attribute header");
            }
            int attrType = u16(raw, pos);
            int attrLength = u16(raw, pos + 2);
            int next = pos + 4 + ((attrLength + 3) & ~3);
            if (next > len) {
                throw new MalformedStunException("attribute 0x" + Integer.toHexString(attrType) + " overruns");
            }
            if (attrType == ATTR_FINGERPRINT) {
                // RFC 8489 §14.7: FINGERPRINT is last, and a wrong CRC means the packet is not ours to answer.
                if (next != len || attrLength != 4) {
                    throw new MalformedStunException("FINGERPRINT not last");
                }
                byte[] crc = FingerprintAttribute.calculateXorCRC32(withLength(raw, pos), 0, pos);
                if (readInt(crc, 0) != readInt(raw, pos + 4)) {
                    throw new MalformedStunException("FINGERPRINT mismatch");
                }
            } else if (integrityOffset < 0) {
                if (attrType == ATTR_MESSAGE_INTEGRITY) {
                    if (attrLength != 20) {
                        throw new MalformedStunException("MESSAGE-INTEGRITY length " + attrLength);
                    }
                    integrityOffset = pos;
                } else {
                    f.read(raw, pos, attrType, attrLength, tid);
                }
            }
            pos = next;
        }
        return new StunMessage(type, tid, f.username, f.realm, f.nonce, f.lifetime, f.transport, f.channel,
                f.changeRequest,
                f.family, f.additionalFamily, f.data, f.dontFragment, f.evenPort, f.reserve, f.token, List.copyOf(f.peers),
                List.copyOf(f.unknown), raw, integrityOffset);
    }

    /**
     * RFC 8489 §14.5: the HMAC covers the message up to MESSAGE-INTEGRITY with the header length adjusted to end
     * just after it. Constant-time compare.
     */
    public static boolean checkIntegrity(StunMessage m, byte[] key) {
        int at = m.integrityOffset();
        if (at < 0) {
            return false;
        }
        byte[] adjusted = m.raw().clone();
        put16(adjusted, 2, at + MI_LENGTH - HEADER_LENGTH);
        byte[] mac = MessageIntegrityAttribute.calculateHmacSha1(adjusted, 0, at, key);
        byte[] sent = new byte[20];
        System.arraycopy(m.raw(), at + 4, sent, 0, 20);
        return MessageDigest.isEqual(mac, sent);
    }

    /** RFC 8489 §9.2.2: key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)). */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest(
                    (username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encodes a message; with a key, MESSAGE-INTEGRITY is appended; FINGERPRINT last when asked. */
    public static byte[] encode(int type, byte[] tid, List<OutAttribute> attributes, byte[] key, boolean fingerprint) {
        List<byte[]> parts = new ArrayList<>(attributes.size());
        int body = 0;
        for (OutAttribute a : attributes) {
            byte[] p = a instanceof OutAttribute.AddressErrorCode e ? addressErrorCode(e)
                    : a instanceof OutAttribute.OtherAddress o ? plainAddress(ATTR_OTHER_ADDRESS, o.address())
                    : a instanceof OutAttribute.ResponseOrigin r ? plainAddress(ATTR_RESPONSE_ORIGIN, r.address())
                    : a instanceof OutAttribute.AlternateServer alt
                            ? plainAddress(ATTR_ALTERNATE_SERVER, alt.address())
                    : a instanceof OutAttribute.AlternateDomain d ? text(ATTR_ALTERNATE_DOMAIN, d.domain())
                    : padded(toIce4j(a, tid));
            parts.add(p);
            body += p.length;
        }
        int total = HEADER_LENGTH + body + (key != null ? MI_LENGTH : 0) + (fingerprint ? FP_LENGTH : 0);
        byte[] out = new byte[total];
        put16(out, 0, type);
        putInt(out, 4, MAGIC_COOKIE);
        System.arraycopy(tid, 0, out, 8, 12);
        int pos = HEADER_LENGTH;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        if (key != null) {
            put16(out, 2, pos + MI_LENGTH - HEADER_LENGTH);
            byte[] mac = MessageIntegrityAttribute.calculateHmacSha1(out, 0, pos, key);
            put16(out, pos, ATTR_MESSAGE_INTEGRITY);
            put16(out, pos + 2, 20);
            System.arraycopy(mac, 0, out, pos + 4, 20);
            pos += MI_LENGTH;
        }
        put16(out, 2, total - HEADER_LENGTH);
        if (fingerprint) {
            byte[] crc = FingerprintAttribute.calculateXorCRC32(out, 0, pos);
            put16(out, pos, ATTR_FINGERPRINT);
            put16(out, pos + 2, 4);
            System.arraycopy(crc, 0, out, pos + 4, 4);
        }
        return out;
    }

    private static Attribute toIce4j(OutAttribute a, byte[] tid) {
        if (a instanceof OutAttribute.XorMappedAddress x) {
            return AttributeFactory.createXorMappedAddressAttribute(transport(x.address()), tid);
        } else if (a instanceof OutAttribute.XorRelayedAddress x) {
            return AttributeFactory.createXorRelayedAddressAttribute(transport(x.address()), tid);
        } else if (a instanceof OutAttribute.XorPeerAddress x) {
            return AttributeFactory.createXorPeerAddressAttribute(transport(x.address()), tid);
        } else if (a instanceof OutAttribute.Lifetime l) {
            return AttributeFactory.createLifetimeAttribute(l.seconds());
        } else if (a instanceof OutAttribute.ErrorCode e) {
            return AttributeFactory.createErrorCodeAttribute((char) e.code(), e.reason());
        } else if (a instanceof OutAttribute.UnknownAttributes u) {
            UnknownAttributesAttribute attr = AttributeFactory.createUnknownAttributesAttribute();
            u.types().forEach(t -> attr.addAttributeID((char) t.intValue()));
            return attr;
        } else if (a instanceof OutAttribute.Realm r) {
            return AttributeFactory.createRealmAttribute(r.realm().getBytes(StandardCharsets.UTF_8));
        } else if (a instanceof OutAttribute.Nonce n) {
            return AttributeFactory.createNonceAttribute(n.nonce().getBytes(StandardCharsets.US_ASCII));
        } else if (a instanceof OutAttribute.Data d) {
            return AttributeFactory.createDataAttributeWithoutPadding(d.bytes());
        } else if (a instanceof OutAttribute.ReservationToken t) {
            return AttributeFactory.createReservationTokenAttribute(t.token());
        } else if (a instanceof OutAttribute.Software s) {
            return AttributeFactory.createSoftwareAttribute(s.name().getBytes(StandardCharsets.UTF_8));
        } else if (a instanceof OutAttribute.Username u) {
            return AttributeFactory.createUsernameAttribute(u.name());
        } else if (a instanceof OutAttribute.RequestedTransport t) {
            return AttributeFactory.createRequestedTransportAttribute((byte) t.protocol());
        } else if (a instanceof OutAttribute.ChangeRequest c) {
            return AttributeFactory.createChangeRequestAttribute(c.changeIp(), c.changePort());
        }
        throw new IllegalArgumentException(String.valueOf(a));
    }

    /**
     * RFC 8656 §18.12, which ice4j does not know: family, a reserved octet, then class and number as in ERROR-CODE,
     * then the UTF-8 reason phrase, zero-padded to a multiple of 4.
     */
    private static byte[] addressErrorCode(OutAttribute.AddressErrorCode e) {
        byte[] reason = e.reason().getBytes(StandardCharsets.UTF_8);
        int valueLength = 4 + reason.length;
        byte[] out = new byte[4 + ((valueLength + 3) & ~3)];
        put16(out, 0, ATTR_ADDRESS_ERROR_CODE);
        put16(out, 2, valueLength);
        out[4] = (byte) e.family();
        out[6] = (byte) (e.code() / 100);
        out[7] = (byte) (e.code() % 100);
        System.arraycopy(reason, 0, out, 8, reason.length);
        return out;
    }

    /** MAPPED-ADDRESS's format (RFC 8489 §14.1) under another type: OTHER-ADDRESS, RESPONSE-ORIGIN. */
    private static byte[] plainAddress(int type, java.net.InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        byte[] out = new byte[8 + ip.length];
        put16(out, 0, type);
        put16(out, 2, 4 + ip.length);
        out[5] = (byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        put16(out, 6, address.getPort());
        System.arraycopy(ip, 0, out, 8, ip.length);
        return out;
    }

    /** A UTF-8 text attribute, zero-padded to a multiple of four. */
    private static byte[] text(int type, String value) {
        byte[] v = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[4 + ((v.length + 3) & ~3)];
        put16(out, 0, type);
        put16(out, 2, v.length);
        System.arraycopy(v, 0, out, 4, v.length);
        return out;
    }

    /** ice4j pads some attributes and not others; emit the TLV with RFC 8489 §14 zero padding either way. */
    private static byte[] padded(Attribute attr) {
        byte[] enc = attr.encode();
        int valueLength = attr.getDataLength();
        byte[] out = new byte[4 + ((valueLength + 3) & ~3)];
        System.arraycopy(enc, 0, out, 0, Math.min(enc.length, 4 + valueLength));
        put16(out, 2, valueLength);
        return out;
    }

    private static TransportAddress transport(InetSocketAddress a) {
        return new TransportAddress(a.getAddress(), a.getPort(), Transport.UDP);
    }

    /** Header length adjusted to end at FINGERPRINT (RFC 8489 §14.7), so the CRC can be checked on a copy. */
    private static byte[] withLength(byte[] raw, int fingerprintAt) {
        byte[] copy = new byte[fingerprintAt];
        System.arraycopy(raw, 0, copy, 0, fingerprintAt);
        put16(copy, 2, fingerprintAt + FP_LENGTH - HEADER_LENGTH);
        return copy;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static int readInt(byte[] b, int i) {
        return (u16(b, i) << 16) | u16(b, i + 2);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void putInt(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }
}
