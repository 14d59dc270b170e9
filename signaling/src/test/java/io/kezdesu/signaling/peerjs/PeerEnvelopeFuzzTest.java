package io.kezdesu.signaling.peerjs;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The PeerJS envelope scanner (every PeerJS message passes through it) against its oracle, the JDK's UTF-8 decoder
 * plus Jackson bent to {@code JSON.parse}: on any bytes, the same type, dst and payload extent, or the same refusal.
 * It covers {@link JsonText}, which the scanner uses for every string. {@code scripts/fuzz} runs it as a fuzzer.
 */
class PeerEnvelopeFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void scanAgreesWithTheOracle(byte[] raw) {
        PeerEnvelopeTest.check(0, 0, raw);
    }
}
