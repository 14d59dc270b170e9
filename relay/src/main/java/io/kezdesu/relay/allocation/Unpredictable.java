package io.kezdesu.relay.allocation;

import java.security.SecureRandom;

/**
 * Where relay ports and reservation tokens come from. RFC 8656 §7.2 asks for relayed ports that an attacker cannot
 * guess (§21.1.5: guessed ports let an off-path attacker aim at allocations), and a RESERVATION-TOKEN redeems a held
 * port, so it must not be guessable either. {@code ThreadLocalRandom} is predictable from a few outputs; this is not.
 */
final class Unpredictable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Unpredictable() {
    }

    static int nextInt(int bound) {
        return RANDOM.nextInt(bound);
    }

    static long nextLong() {
        return RANDOM.nextLong();
    }
}
