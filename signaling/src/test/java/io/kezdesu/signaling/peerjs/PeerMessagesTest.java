package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The splice: whatever JSON value the payload is, it comes out byte for byte; non-objects are not messages. */
class PeerMessagesTest {

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":[1,{\"b\":\"}\"}]}", "[1, 2]", "\"s\\\"\\u00e9\"", "-12.5e3", "0", "true",
            "false", "null", "{}"})
    void payloadsAreCopiedVerbatim(String payload) {
        byte[] raw = ("{ \"type\" : \"OFFER\" , \"payload\" : " + payload + " , \"dst\":\"b\\u0062\" }")
                .getBytes(StandardCharsets.UTF_8);
        PeerMessages.Parsed m = PeerMessages.parse(raw);
        assertEquals("OFFER", m.type());
        assertEquals("bb", m.dst());
        assertEquals("{\"type\":\"OFFER\",\"src\":\"a\",\"dst\":\"bb\",\"payload\":" + payload + "}",
                new String(PeerMessages.relayed(m, PeerMessages.quote("a"), PeerMessages.quote(m.dst())),
                        StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "[]", "\"OFFER\"", "{\"type\":\"OFFER\"", "{\"type\":\"OFFER\"} {}", "{,}"})
    void anythingButOneObjectIsIgnored(String text) {
        assertNull(PeerMessages.parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "with \"quotes\"", "é ü", "tab\t"})
    void idsAreQuotedAsJson(String id) throws Exception {
        assertEquals(id, new com.fasterxml.jackson.databind.ObjectMapper().readValue(PeerMessages.quote(id),
                String.class));
    }
}
