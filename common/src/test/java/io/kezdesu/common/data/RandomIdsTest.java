package io.kezdesu.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void noLeadingByteGivesADashOrAnUnderscore() {
        Set<Character> firsts = new HashSet<>();
        for (int lead = 0; lead < 256; lead++) {
            String id = RandomIds.encode(new byte[] {(byte) lead, 7, 9});
            char c = id.charAt(0);
            assertTrue(Character.isLetterOrDigit(c), lead + " -> " + id);
            firsts.add(c);
        }
        assertEquals(62, firsts.size(), "every letter and digit still begins some id");
    }

    @Test
    void idsAreUrlSafeBase64OfTheRequestedLength() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String id = RandomIds.next(12);
            assertEquals(16, id.length());
            assertEquals(12, Base64.getUrlDecoder().decode(id).length);
            assertTrue(seen.add(id));
        }
    }
}
