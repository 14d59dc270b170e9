package io.kezdesu.signaling.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.protocol.ClientMessage;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "10s")
    void messagesDecodeOrAreRefusedWithAnError(byte[] frame) throws java.io.IOException {
        // The socket passes on only frames that are UTF-8: the fuzzer's bytes, made so.
        String text = new String(frame, StandardCharsets.UTF_8);
        assertNotNull(MessageDecoder.typeOf(text));
        try {
            ClientMessage message = MessageDecoder.decode(text.getBytes(StandardCharsets.UTF_8));
            assertNotNull(message);
            if (message instanceof ClientMessage.Relay relay) {
                // Stamped in its bytes: the receiver parses the sender's message with "from" added, nothing else.
                ObjectNode expected = (ObjectNode) JSON.readTree(relay.utf8());
                expected.put("from", "p1");
                assertEquals(expected, JSON.readTree(relay.stampedWith("p1")));
            }
        } catch (ProtocolException refused) {
            assertNotNull(refused.error());
        }
    }
}
