package io.kezdesu.signaling.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kezdesu.signaling.protocol.MessageDecoder;
import io.kezdesu.signaling.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * The signaling socket's message decoder (every text frame on {@code /ws}): on any text, a message or a
 * {@link ProtocolException} (an error message with a code, the connection kept); and the type the error names is
 * found without failing. Anything else would be an "internal error" to the client. {@code scripts/fuzz} runs it as a
 * fuzzer.
 */
class SignalingMessageFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void messagesDecodeOrAreRefusedWithAnError(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        assertNotNull(MessageDecoder.typeOf(text));
        try {
            assertNotNull(MessageDecoder.decode(text));
        } catch (ProtocolException refused) {
            assertNotNull(refused.error());
        }
    }
}
