package io.kezdesu.benchmarks.openloop;

import io.kezdesu.benchmarks.peerjs.PeerJsLoad;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pre-encoded, pre-masked client WebSocket frames whose only changing part is an 18-digit stamp, so that sending a
 * message costs one stamp rewrite and one copy. The messages are shaped as in {@code peerjs.PeerJsLoad} (a candidate
 * of ~200 B, an SDP of ~2 KB, the stamp last in the payload, 20 bytes from the end of the message) and the same
 * payload travels in both protocols: PeerJS {@code {"type":"CANDIDATE","dst":…,"payload":{…}}} and kezdesu's
 * {@code {"type":"candidate","to":…,"payload":{…}}}. Both servers keep the payload last when relaying (PeerJS servers
 * rebuild {type, src, dst, payload}; kezdesu relays verbatim with {@code from} spliced in front), so the stamp is found
 * at a fixed distance from the end of what arrives.
 *
 * <p>Frames are masked as RFC 6455 requires of clients, with a random non-zero key per client: a zero key would let a
 * server skip its unmasking (Netty does), which browsers never allow.
 */
final class Frames {

    /** Same SDP, candidate and stamp format as peerjs.PeerJsLoad, so that results compare with its figures. */
    static final String SDP = PeerJsLoad.SDP;
    static final String CANDIDATE = PeerJsLoad.CANDIDATE;
    static final long STAMP_BASE = PeerJsLoad.STAMP_BASE;
    static final int STAMP_DIGITS = PeerJsLoad.STAMP_DIGITS;
    static final int STAMP_FROM_END = PeerJsLoad.STAMP_FROM_END;
    /** Stamps: nanoseconds on this clock plus {@link #STAMP_BASE}, written as 18 digits (valid JSON). */
    static final long EPOCH = System.nanoTime();

    static final int OFFER = 0;
    static final int ANSWER = 1;
    static final int CANDIDATE_TYPE = 2;

    /** The message kind of a client's {@code n}-th message: OFFER, ANSWER, then 8 CANDIDATEs (as PeerJsLoad). */
    static int kind(long n) {
        long m = n % 10;
        return m == 0 ? OFFER : m == 1 ? ANSWER : CANDIDATE_TYPE;
    }

    static long stampOf(long nanoTime) {
        return nanoTime - EPOCH + STAMP_BASE;
    }

    static long nanoTimeOf(long stamp) {
        return stamp - STAMP_BASE + EPOCH;
    }

    /** One message as the client sends it, the stamp a placeholder. {@code kind}: OFFER, ANSWER or CANDIDATE_TYPE. */
    static String message(boolean peerJs, int kind, String to) {
        String stamp = "1" + "0".repeat(STAMP_DIGITS - 1);
        String type = kind == OFFER ? "OFFER" : kind == ANSWER ? "ANSWER" : "CANDIDATE";
        String payload = kind == CANDIDATE_TYPE
                ? "{\"candidate\":{\"candidate\":\"" + CANDIDATE + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0},"
                + "\"type\":\"media\",\"connectionId\":\"mc_bench\",\"t\":" + stamp + "}"
                : "{\"sdp\":{\"type\":\"" + type.toLowerCase(Locale.ROOT) + "\",\"sdp\":\"" + SDP + "\"},"
                + "\"type\":\"media\",\"connectionId\":\"mc_bench\",\"browser\":\"chrome\",\"t\":" + stamp + "}";
        return peerJs
                ? "{\"type\":\"" + type + "\",\"dst\":\"" + to + "\",\"payload\":" + payload + "}"
                : "{\"type\":\"" + type.toLowerCase(Locale.ROOT) + "\",\"to\":\"" + to + "\",\"payload\":" + payload
                + "}";
    }

    /** A masked text frame; {@link #stamp} rewrites its stamp in place. */
    static final class Frame {
        final byte[] bytes;
        private final int payloadStart;
        private final int stampAt;

        Frame(String text, boolean stamped) {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            int len = payload.length;
            int header = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
            bytes = new byte[header + 4 + len];
            bytes[0] = (byte) 0x81; // FIN, text
            if (len < 126) {
                bytes[1] = (byte) (0x80 | len);
            } else if (len <= 0xFFFF) {
                bytes[1] = (byte) (0x80 | 126);
                bytes[2] = (byte) (len >>> 8);
                bytes[3] = (byte) len;
            } else {
                bytes[1] = (byte) (0x80 | 127);
                for (int i = 0; i < 8; i++) {
                    bytes[2 + i] = (byte) ((long) len >>> (56 - 8 * i));
                }
            }
            payloadStart = header + 4;
            for (int i = 0; i < 4; i++) {
                bytes[header + i] = (byte) ThreadLocalRandom.current().nextInt(1, 256);
            }
            for (int i = 0; i < len; i++) {
                bytes[payloadStart + i] = (byte) (payload[i] ^ bytes[header + (i & 3)]);
            }
            stampAt = stamped ? payloadStart + len - STAMP_FROM_END : -1;
        }

        /** Writes {@code value} as {@link #STAMP_DIGITS} masked digits over the placeholder. */
        void stamp(long value) {
            int maskAt = payloadStart - 4;
            for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
                int at = stampAt + i;
                bytes[at] = (byte) (('0' + (int) (value % 10)) ^ bytes[maskAt + ((at - payloadStart) & 3)]);
                value /= 10;
            }
        }
    }

    private Frames() {
    }
}
