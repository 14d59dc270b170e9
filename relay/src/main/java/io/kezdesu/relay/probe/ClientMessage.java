package io.kezdesu.relay.probe;

import static io.kezdesu.relay.stun.StunTypes.*;

import io.kezdesu.relay.stun.StunTypes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A response or indication as a client reads it (the probe here, the allocation load tool in benchmarks/). The
 * server's decoder ({@code StunCodec.decode}) reads only what a server needs and skips response attributes, so the
 * client reads its few attributes here (first of each type).
 */
public record ClientMessage(int type, byte[] transactionId, Map<Integer, byte[]> attributes) {

    /** The message in {@code b}, or null if it is not a whole STUN message. */
    public static ClientMessage parse(byte[] b) {
        if (b.length < HEADER_LENGTH || (b[0] & 0xC0) != 0 || u16(b, 2) + HEADER_LENGTH != b.length
                || ((u16(b, 4) << 16) | u16(b, 6)) != MAGIC_COOKIE) {
            return null;
        }
        Map<Integer, byte[]> attrs = new HashMap<>();
        int pos = HEADER_LENGTH;
        while (pos + 4 <= b.length) {
            int t = u16(b, pos);
            int l = u16(b, pos + 2);
            if (pos + 4 + l > b.length) {
                return null;
            }
            attrs.putIfAbsent(t, Arrays.copyOfRange(b, pos + 4, pos + 4 + l));
            pos += 4 + ((l + 3) & ~3);
        }
        return new ClientMessage(u16(b, 0), Arrays.copyOfRange(b, 8, 20), attrs);
    }

    int method() {
        return StunTypes.method(type);
    }

    public Kind kind() {
        return StunTypes.kind(type);
    }

    public int errorCode() {
        byte[] v = attributes.get(ATTR_ERROR_CODE);
        return v == null || v.length < 4 ? 0 : (v[2] & 7) * 100 + (v[3] & 0xFF);
    }

    String errorReason() {
        byte[] v = attributes.get(ATTR_ERROR_CODE);
        return v == null || v.length <= 4 ? "" : new String(v, 4, v.length - 4, StandardCharsets.UTF_8).strip();
    }

    /** A text attribute (REALM, NONCE, …), or null when absent. */
    public String string(int attr) {
        byte[] v = attributes.get(attr);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** An XOR-*-ADDRESS attribute (RFC 8489 §14.2), or null. */
    InetSocketAddress xorAddress(int attr) {
        return address(attributes.get(attr), true);
    }

    /** A plain address attribute (MAPPED-ADDRESS, OTHER-ADDRESS, RESPONSE-ORIGIN), or null. */
    InetSocketAddress plainAddress(int attr) {
        return address(attributes.get(attr), false);
    }

    private InetSocketAddress address(byte[] v, boolean xor) {
        if (v == null || v.length < 8) {
            return null;
        }
        int family = v[1];
        int length = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (length < 0 || v.length < 4 + length) {
            return null;
        }
        int port = u16(v, 2);
        byte[] ip = Arrays.copyOfRange(v, 4, 4 + length);
        if (xor) {
            port ^= MAGIC_COOKIE >>> 16;
            byte[] mask = new byte[16];
            mask[0] = 0x21;
            mask[1] = 0x12;
            mask[2] = (byte) 0xA4;
            mask[3] = 0x42;
            System.arraycopy(transactionId, 0, mask, 4, 12);
            for (int i = 0; i < length; i++) {
                ip[i] ^= mask[i];
            }
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }
}
