package io.kezdesu.benchmarks.flood;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Garbage for the TURN UDP port, in four shapes: random bytes (0–1,500 of them), STUN-shaped (a 20-byte header with
 * a real or near-real message type and cookie, then TLVs of real attribute types with lying lengths and random
 * values), ChannelData-shaped (a channel number in 0x4000–0x7FFF and a length that may lie) and, rarely, a
 * well-formed Binding request, which the server may answer within its per-source Binding limit.
 */
final class Datagrams {

    static final int MAX = 1500;
    static final int MAGIC_COOKIE = 0x2112A442;
    /** Binding, Allocate, Refresh, Send, Data, CreatePermission, ChannelBind; requests, indications, responses. */
    private static final int[] TYPES = {0x0001, 0x0003, 0x0004, 0x0008, 0x0009, 0x000A, 0x000B, 0x000C, 0x0016,
        0x0017, 0x0011, 0x0101, 0x0111, 0x0103, 0x0113, 0x0104, 0x0109};
    /** USERNAME, MESSAGE-INTEGRITY, ERROR-CODE, CHANNEL-NUMBER, LIFETIME, XOR-PEER-ADDRESS, DATA, REALM, NONCE,
     *  XOR-RELAYED-ADDRESS, REQUESTED-ADDRESS-FAMILY, EVEN-PORT, REQUESTED-TRANSPORT, DONT-FRAGMENT,
     *  MESSAGE-INTEGRITY-SHA256, USERHASH, XOR-MAPPED-ADDRESS, RESERVATION-TOKEN, PASSWORD-ALGORITHMS, SOFTWARE,
     *  FINGERPRINT, ICE-CONTROLLED, ICE-CONTROLLING, PRIORITY, USE-CANDIDATE. */
    private static final int[] ATTRIBUTES = {0x0006, 0x0008, 0x0009, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014, 0x0015,
        0x0016, 0x0017, 0x0018, 0x0019, 0x001A, 0x001C, 0x001E, 0x0020, 0x0022, 0x8002, 0x8022, 0x8028, 0x8029,
        0x802A, 0x0024, 0x0025};

    private final SplittableRandom random;
    long bindings;

    Datagrams(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Fills {@code out} (cleared, capacity >= {@value #MAX}) with the next datagram and flips it for sending. */
    void next(ByteBuffer out) {
        out.clear();
        int shape = random.nextInt(100);
        if (shape < 35) {
            fill(out, random.nextInt(MAX + 1));
        } else if (shape < 70) {
            stunShaped(out);
        } else if (shape < 95) {
            channelData(out);
        } else {
            bindings++;
            out.putShort((short) 0x0001).putShort((short) 0).putInt(MAGIC_COOKIE);
            fill(out, 12);
        }
        out.flip();
    }

    private void stunShaped(ByteBuffer out) {
        int type = random.nextInt(10) < 8 ? TYPES[random.nextInt(TYPES.length)] : random.nextInt(0x4000);
        out.putShort((short) type).putShort((short) 0);
        out.putInt(random.nextInt(10) < 9 ? MAGIC_COOKIE : random.nextInt());
        fill(out, 12);
        int room = random.nextInt(MAX - 20 + 1);
        while (out.position() < 20 + room && out.remaining() >= 4) {
            int attribute = random.nextInt(10) < 8 ? ATTRIBUTES[random.nextInt(ATTRIBUTES.length)]
                    : random.nextInt(0x10000);
            int value = Math.min(out.remaining() - 4, random.nextInt(10) < 7 ? random.nextInt(64)
                    : random.nextInt(MAX));
            // The declared length lies one time in four: longer than what follows, or not a multiple of 4.
            int declared = random.nextInt(4) == 0 ? random.nextInt(0x10000) : value;
            out.putShort((short) attribute).putShort((short) declared);
            fill(out, value);
        }
        // The header's length field: the true one (a multiple of 4 or not) most of the time, else anything.
        int length = out.position() - 20;
        out.putShort(2, (short) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : length));
    }

    private void channelData(ByteBuffer out) {
        int channel = 0x4000 + random.nextInt(random.nextBoolean() ? 0x1000 : 0x4000);
        int payload = random.nextInt(MAX - 4 + 1);
        int declared = random.nextInt(3) == 0 ? random.nextInt(0x10000) : payload;
        out.putShort((short) channel).putShort((short) declared);
        fill(out, payload);
    }

    private void fill(ByteBuffer out, int n) {
        int end = out.position() + n;
        while (out.position() + 8 <= end) {
            out.putLong(random.nextLong());
        }
        while (out.position() < end) {
            out.put((byte) random.nextInt());
        }
    }
}
