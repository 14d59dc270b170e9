package io.kezdesu.signaling.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A relayed message is stamped in its bytes: what the receiver parses is the sender's message plus {@code from}. */
class RelayStampTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theStampedBytesAreTheSendersMessageWithFromFirstWhateverItsText() throws Exception {
        for (String text : new String[] {
                "{\"type\":\"offer\",\"to\":\"p2\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\"}",
                "  \n{ \"to\" : \"p2\", \"type\" : \"candidate\", \"candidate\": {\"c\": \"ü ✓ 😀\", \"n\": [1, 2.5, null]} }",
                "{\"type\":\"answer\",\"sdp\":\"\\u00fc \\\"quoted\\\" {braces}\",\"to\":\"p2\",\"extra\":true}"}) {
            ClientMessage.Relay relay = assertInstanceOf(ClientMessage.Relay.class,
                    MessageDecoder.decode(text.getBytes(StandardCharsets.UTF_8)));
            byte[] stamped = relay.stampedWith("p1");
            ObjectNode expected = (ObjectNode) JSON.readTree(text);
            JsonNode got = JSON.readTree(stamped);
            assertEquals("from", got.fieldNames().next(), new String(stamped, StandardCharsets.UTF_8));
            expected.put("from", "p1");
            assertEquals(expected, got, new String(stamped, StandardCharsets.UTF_8));
        }
    }
}
