package io.kezdesu.common.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashIsArgon2idPhcWithTheDocumentedParameters() {
        String h = hasher.hash("correct horse battery");
        assertTrue(h.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), h);
    }

    @Test
    void verifiesTheRightPasswordOnly() {
        String h = hasher.hash("correct horse battery");
        assertTrue(hasher.verify("correct horse battery", h));
        assertFalse(hasher.verify("correct horse batterY", h));
        assertFalse(hasher.verify("", h));
    }

    @Test
    void saltsDiffer() {
        assertNotEquals(hasher.hash("same"), hasher.hash("same"));
    }

    @Test
    void parametersAreReadFromTheStoredHash() {
        String cheap = new PasswordHasher(64, 1, 1).hash("pw");
        assertTrue(hasher.verify("pw", cheap));
    }

    @Test
    void malformedHashesNeverMatchAndNeverThrow() {
        for (String bad : new String[] {null, "", "plain", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA",
                "$argon2id$v=19$m=x,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "$argon2id$v=19$m=64,t=1,p=1$***$***"}) {
            assertFalse(hasher.verify("pw", bad));
        }
    }
}
