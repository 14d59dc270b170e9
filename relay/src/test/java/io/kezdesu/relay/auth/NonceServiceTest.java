package io.kezdesu.relay.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class NonceServiceTest {

    private static final String SECRET = "nonce-secret-0123456789";
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    private NonceService at(Instant now) {
        return new NonceService(SECRET, Duration.ofSeconds(600), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void validUntilTheLifetimeThenStale() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.1");
        String nonce = at(t0).issue(client);
        assertTrue(nonce.length() <= 24, "compact: " + nonce);
        assertEquals(NonceService.Verdict.VALID, at(t0).verify(nonce, client));
        assertEquals(NonceService.Verdict.VALID, at(t0.plusSeconds(600)).verify(nonce, client));
        assertEquals(NonceService.Verdict.STALE, at(t0.plusSeconds(601)).verify(nonce, client));
        assertEquals(NonceService.Verdict.STALE, at(t0.minusSeconds(1)).verify(nonce, client), "from the future");
    }

    @Test
    void anotherAddressOrSecretOrGarbageIsInvalid() throws Exception {
        InetAddress client = InetAddress.getByName("192.0.2.1");
        String nonce = at(t0).issue(client);
        assertEquals(NonceService.Verdict.INVALID, at(t0).verify(nonce, InetAddress.getByName("192.0.2.2")));
        assertEquals(NonceService.Verdict.INVALID, new NonceService("another-secret-000000", Duration.ofSeconds(600),
                Clock.fixed(t0, ZoneOffset.UTC)).verify(nonce, client));
        assertEquals(NonceService.Verdict.INVALID, at(t0).verify("garbage", client));
        assertEquals(NonceService.Verdict.INVALID, at(t0).verify("!!!!!!!!!!!!!!!!!!!!!!", client));
        assertEquals(NonceService.Verdict.INVALID, at(t0).verify(null, client));
    }
}
