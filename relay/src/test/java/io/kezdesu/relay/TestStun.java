package io.kezdesu.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A STUN encoder/decoder written independently of the server's ice4j adapter (plain JDK), so the integration tests
 * check the server against a second implementation of RFC 8489.
 */
final class TestStun {

    static final int MAGIC = 0x2112A442;

    record Attr(int type, byte[] value) { }

    /** A message to send or one received. */
    static final class Msg {
        final int type;
        final byte[] tid;
        final List<Attr> attrs = new ArrayList<>();

        Msg(int type, byte[] tid) {
            this.type = type;
            this.tid = tid;
        }

        static Msg request(int method) {
            return new Msg(type(method, 0), randomTid());
        }

        static Msg indication(int method) {
            return new Msg(type(method, 0x10), randomTid());
        }

        Msg add(int type, byte[] value) {
            attrs.add(new Attr(type, value));
            return this;
        }

        Msg add(int type, String value) {
            return add(type, value.getBytes(StandardCharsets.UTF_8));
        }

        Msg u32(int type, int value) {
            return add(type, ByteBuffer.allocate(4).putInt(value).array());
        }

        Msg transport(int protocol) {
            return add(0x0019, new byte[] {(byte) protocol, 0, 0, 0});
        }

        Msg peer(InetSocketAddress address) {
            return add(0x0012, xorAddress(address, tid));
        }

        Msg channel(int number) {
            return add(0x000C, new byte[] {(byte) (number >> 8), (byte) number, 0, 0});
        }

        byte[] attr(int type) {
            for (Attr a : attrs) {
                if (a.type == type) {
                    return a.value;
                }
            }
            return null;
        }

        int errorCode() {
            byte[] v = attr(0x0009);
            return v == null ? 0 : (v[2] & 7) * 100 + (v[3] & 0xFF);
        }

        /** Every attribute of this type, in order (a dual Allocate has two XOR-RELAYED-ADDRESS). */
        List<byte[]> all(int type) {
            return attrs.stream().filter(a -> a.type == type).map(Attr::value).toList();
        }

        List<InetSocketAddress> addresses(int type) {
            return all(type).stream().map(v -> unxorAddress(v, tid)).toList();
        }

        /** ADDRESS-ERROR-CODE (0x8001) as {family, code}, or null. */
        int[] addressError() {
            byte[] v = attr(0x8001);
            return v == null ? null : new int[] {v[0] & 0xFF, (v[2] & 7) * 100 + (v[3] & 0xFF)};
        }

        InetSocketAddress address(int type) {
            byte[] v = attr(type);
            return v == null ? null : unxorAddress(v, tid);
        }

        int lifetime() {
            return ByteBuffer.wrap(attr(0x000D)).getInt();
        }

        int method() {
            return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
        }

        boolean isSuccess() {
            return (type & 0x0110) == 0x0100;
        }

        boolean isError() {
            return (type & 0x0110) == 0x0110;
        }

        boolean isIndication() {
            return (type & 0x0110) == 0x0010;
        }

        String string(int type) {
            byte[] v = attr(type);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        }

        /** Encodes with optional MESSAGE-INTEGRITY (long-term key) and FINGERPRINT. */
        byte[] encode(byte[] key, boolean fingerprint) {
            ByteBuffer b = ByteBuffer.allocate(2048);
            b.putShort((short) type).putShort((short) 0).putInt(MAGIC).put(tid);
            for (Attr a : attrs) {
                b.putShort((short) a.type).putShort((short) a.value.length).put(a.value);
                b.put(new byte[(-a.value.length) & 3]);
            }
            if (key != null) {
                b.putShort(2, (short) (b.position() - 20 + 24));
                byte[] mac = hmac(key, java.util.Arrays.copyOf(b.array(), b.position()));
                b.putShort((short) 0x0008).putShort((short) 20).put(mac);
            }
            if (fingerprint) {
                b.putShort(2, (short) (b.position() - 20 + 8));
                CRC32 crc = new CRC32();
                crc.update(b.array(), 0, b.position());
                b.putShort((short) 0x8028).putShort((short) 4).putInt((int) crc.getValue() ^ 0x5354554E);
            }
            b.putShort(2, (short) (b.position() - 20));
            return java.util.Arrays.copyOf(b.array(), b.position());
        }

        static Msg decode(byte[] raw, int length) {
            ByteBuffer b = ByteBuffer.wrap(raw, 0, length);
            int type = b.getShort() & 0xFFFF;
            int len = b.getShort() & 0xFFFF;
            b.getInt();
            byte[] tid = new byte[12];
            b.get(tid);
            Msg m = new Msg(type, tid);
            int end = 20 + len;
            while (b.position() < end) {
                int t = b.getShort() & 0xFFFF;
                int l = b.getShort() & 0xFFFF;
                byte[] v = new byte[l];
                b.get(v);
                b.position(b.position() + ((-l) & 3));
                m.attrs.add(new Attr(t, v));
            }
            return m;
        }
    }

    static int type(int method, int classBits) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | classBits;
    }

    static byte[] randomTid() {
        byte[] tid = new byte[12];
        ThreadLocalRandom.current().nextBytes(tid);
        return tid;
    }

    static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5").digest((username + ":" + realm + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] xorAddress(InetSocketAddress a, byte[] tid) {
        byte[] ip = a.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(4 + ip.length);
        b.put((byte) 0).put((byte) (ip.length == 4 ? 1 : 2)).putShort((short) (a.getPort() ^ (MAGIC >>> 16)));
        byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC).put(tid).array();
        for (int i = 0; i < ip.length; i++) {
            b.put((byte) (ip[i] ^ mask[i]));
        }
        return b.array();
    }

    static InetSocketAddress unxorAddress(byte[] v, byte[] tid) {
        int port = (((v[2] & 0xFF) << 8) | (v[3] & 0xFF)) ^ (MAGIC >>> 16);
        byte[] ip = new byte[v[1] == 1 ? 4 : 16];
        byte[] mask = ByteBuffer.allocate(16).putInt(MAGIC).put(tid).array();
        for (int i = 0; i < ip.length; i++) {
            ip[i] = (byte) (v[4 + i] ^ mask[i]);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestStun() {
    }
}
