package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The envelope scanner: exactly {@code JSON.parse} behind {@code ws}'s UTF-8 check, corner by corner, then against an
 * oracle of the JDK's UTF-8 decoder and Jackson on generated and mutated messages.
 */
class PeerEnvelopeTest {

    private static final int CASES_PER_SEED = 15_000;
    /** Each case is a generated document and a mutation of it: 120,000 inputs in all. */
    private static final long[] SEEDS = {1, 2, 3, 0x5EED_CAFEL};

    private static PeerMessages.Parsed scan(String text) {
        return PeerEnvelope.scan(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : ((String) p).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", " \t\r\n", "01", "{\"a\":01}", "{\"a\":-01}", "{\"a\":00}", "{\"a\":-}",
        "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":1E+}", "{\"a\":1.e5}", "{\"a\":+1}", "{\"a\":0x10}",
        "{\"a\":1.5e3.2}", "{\"a\":--1}", "{\"a\":\"\\x\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\U0041\"}", "{\"a\":\"\\", "{\"a\":\"tab\there\"}", "{\"a\":\"\u0000\"}",
        "{\"a\":\"\u001f\"}", "{\"a\n\":1}", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":[,1]}", "{,}", "{a:1}",
        "{'a':1}", "{\"a\":'x'}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":undefined}",
        "{\"a\":tru}", "{\"a\":nul}", "{\"a\":True}", "{\"a\":truex}", "{\"a\":1} x", "{\"a\":1}}", "{\"a\":1",
        "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\"::1}", "{\"a\":[1 2]}", "{\"a\":\"x}", "{\"a\":[}", "{\"a\":{]}",
        "{\"a\":[1]]}", "\uFEFF{}", "\u00A0{}", "{}\u000B", "{}\f", "{\"a\":/*c*/1}", "{\"a\":1}//", "{}#", "[]",
        "[{}]", "\"x\"", "1", "true", "null", "{}{}", "{} []", "{é:1}", "{\"a\":é}"})
    void anythingButOneJsonObjectIsNotAMessage(String text) {
        assertNull(scan(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", " \t\r\n{ \t\r\n} \t\r\n", "{\"a\":-0}", "{\"a\":0.0e-0}", "{\"a\":1E+10}",
        "{\"a\":-9.99e99999}", "{\"a\":[[],{},[{}],\"\"]}", "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\\u00E9\\uD83D\"}",
        "{\"a\":\"\u007F é € 😀\"}", "{\"\":1}", "{\"a\":1,\"a\":2}"})
    void cornersOfTheGrammarAreMessages(String text) {
        PeerMessages.Parsed m = scan(text);
        assertNotNull(m, text);
        assertNull(m.type());
        assertEquals(-1, m.payloadStart());
    }

    @Test
    void aRepeatedNameCountsWithItsLastValue() {
        assertNull(scan("{\"type\":\"OFFER\",\"type\":5}").type());
        assertEquals("OFFER", scan("{\"type\":5,\"type\":\"OFFER\"}").type());
        assertNull(scan("{\"dst\":\"a\",\"dst\":{\"x\":\"b\"}}").dst());
        PeerMessages.Parsed m = scan("{\"payload\":1,\"payload\":[2]}");
        assertEquals(23, m.payloadStart());
        assertEquals(26, m.payloadEnd());
    }

    @Test
    void namesAreComparedDecodedAndOnlyAtTheTopLevel() {
        String text = "{\"ty\\u0070e\":\"OFFER\",\"\\u0064st\":\"b\",\"p\\u0061yload\":{}}";
        PeerMessages.Parsed m = scan(text);
        assertEquals("OFFER", m.type());
        assertEquals("b", m.dst());
        assertEquals(text.length() - 3, m.payloadStart());
        assertEquals(text.length() - 1, m.payloadEnd());
        PeerMessages.Parsed nested = scan("{\"payload\":{\"type\":\"x\",\"dst\":\"y\",\"payload\":3},\"Type\":\"z\"}");
        assertNull(nested.type());
        assertNull(nested.dst());
        assertEquals(11, nested.payloadStart());
        assertEquals(45, nested.payloadEnd());
    }

    @Test
    void typeAndDstAreDecodedAsJsonParseDoes() {
        PeerMessages.Parsed m = scan("{\"type\":\"OF\\u0046ER\",\"dst\":\"\\uD83D\\uDE00 \\ud800\\n\\\"\\/é😀\"}");
        assertEquals("OFFER", m.type());
        assertEquals("\uD83D\uDE00 \uD800\n\"/é😀", m.dst());
        assertNull(scan("{\"type\":null,\"dst\":1}").type());
        assertNull(scan("{\"type\":[\"OFFER\"]}").type());
        assertEquals("", scan("{\"dst\":\"\"}").dst());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "{\"a\":[1,{\"b\":\"}\"}]}", "[1, [2, []]]", "\"s\\\"}\\u00e9\"", "\"\"",
        "-12.5e3", "0", "1E-7", "true", "false", "null", "\"é😀\""})
    void payloadsOfEveryKindAreRangedExactly(String payload) {
        for (String after : new String[] {"}", " }", ",\"dst\":\"b\"}"}) {
            byte[] raw = bytes("{\"type\":\"OFFER\", \"payload\" :\t", payload, after);
            PeerMessages.Parsed m = PeerEnvelope.scan(raw);
            assertSame(raw, m.raw());
            assertEquals(payload, new String(raw, m.payloadStart(), m.payloadEnd() - m.payloadStart(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void nestingStopsAtAThousandLevels() {
        assertNotNull(PeerEnvelope.scan(nested(1000)));
        assertNull(PeerEnvelope.scan(nested(1001)));
        assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes(nested(1001), new byte[] {(byte) 0xFF})));
        String objects = "{\"a\":".repeat(999) + "1" + "}".repeat(999);
        PeerMessages.Parsed m = scan("{\"payload\":" + objects + "}");
        assertEquals(objects.length() + 11, m.payloadEnd());
        assertNull(scan("{\"payload\":{" + objects + "}}"));
    }

    /** An envelope of {@code depth} levels, itself included, its payload alternating arrays and objects. */
    private static byte[] nested(int depth) {
        StringBuilder open = new StringBuilder("{\"type\":\"OFFER\",\"payload\":");
        StringBuilder close = new StringBuilder("}");
        for (int k = 1; k < depth; k++) {
            open.append(k % 2 == 0 ? "{\"k\":" : "[");
            close.insert(0, k % 2 == 0 ? '}' : ']');
        }
        return bytes(open.toString(), "0", close.toString());
    }

    @Test
    void invalidUtf8IsReportedWhereverItIs() {
        byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0x81}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
            {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xFE},
            {(byte) 0xC3, (byte) 0x28}};
        for (byte[] b : bad) {
            String hex = HexFormat.of().formatHex(b);
            assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"type\":\"", b, "\"}")),
                    "in a string " + hex);
            assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"a\":1}", b)), "after the object " + hex);
            assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{", b, "}")), "outside strings " + hex);
            assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"a\":01 \"", b, "\"}")),
                    "after a JSON error " + hex);
            assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes(b, "{}")), "before the object " + hex);
            assertNull(PeerMessages.parse(bytes("{\"type\":\"", b, "\"}")), "parse hides it " + hex);
        }
        byte[] truncated = {(byte) 0xE2, (byte) 0x82};
        assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"type\":\"", truncated)));
        assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"a\":x", truncated)));
        assertSame(PeerEnvelope.INVALID_UTF8, PeerEnvelope.scan(bytes("{\"a\":\"\u20AC", new byte[] {(byte) 0xF0})));
    }

    @Test
    void theEdgesOfUtf8AreUtf8() {
        byte[][] good = {{(byte) 0xC2, (byte) 0x80}, {(byte) 0xDF, (byte) 0xBF},
            {(byte) 0xE0, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0x9F, (byte) 0xBF},
            {(byte) 0xEE, (byte) 0x80, (byte) 0x80}, {(byte) 0xEF, (byte) 0xBF, (byte) 0xBF},
            {(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}};
        for (byte[] b : good) {
            String hex = HexFormat.of().formatHex(b);
            assertEquals(new String(b, StandardCharsets.UTF_8), PeerEnvelope.scan(bytes("{\"dst\":\"", b, "\"}")).dst(),
                    hex);
            assertNull(PeerEnvelope.scan(bytes("{", b, "}")), "valid UTF-8 but not JSON " + hex);
        }
    }

    @Test
    void agreesWithJacksonAndTheJdkOnGeneratedAndMutatedMessages() {
        int messages = 0;
        for (long seed : SEEDS) {
            Random random = new Random(seed);
            JsonDocs docs = new JsonDocs(random);
            for (int k = 0; k < CASES_PER_SEED; k++) {
                byte[] doc = docs.document();
                check(seed, k, doc);
                byte[] mutated = docs.mutate(doc);
                check(seed, k, mutated);
                messages += PeerEnvelope.scan(doc) != null ? 1 : 0;
            }
        }
        // The generator's envelopes must mostly be messages, or the comparison says little about them.
        if (messages < SEEDS.length * CASES_PER_SEED / 2) {
            fail("only " + messages + " generated documents were messages");
        }
    }

    static void check(long seed, int k, byte[] raw) {
        PeerMessages.Parsed want = EnvelopeOracle.expected(raw);
        PeerMessages.Parsed got = PeerEnvelope.scan(raw);
        String where = "seed " + seed + " case " + k + " input " + HexFormat.of().formatHex(raw) + " = "
                + new String(raw, StandardCharsets.UTF_8);
        if (want == null || want == PeerEnvelope.INVALID_UTF8) {
            assertSame(want, got, where);
            return;
        }
        assertNotNull(got, where);
        assertEquals(want.type(), got.type(), where);
        assertEquals(want.dst(), got.dst(), where);
        assertEquals(want.payloadStart(), got.payloadStart(), where);
        assertEquals(want.payloadEnd(), got.payloadEnd(), where);
        assertArrayEquals(raw, got.raw(), where);
        assertSame(raw, got.raw(), where);
    }
}
