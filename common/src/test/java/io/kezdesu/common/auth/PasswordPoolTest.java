package io.kezdesu.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The bounded hashing queue: full means a fast refusal, and other work never takes the logins' half. */
class PasswordPoolTest {

    /** Slow enough (a fraction of a second per hash, on one thread) that nothing started in this test finishes while the test subscribes. */
    private static final PasswordHasher SLOW = new PasswordHasher(32 * 1024, 16, 1);

    @Test
    void pastItsCapacityWorkIsRefusedAtOnceAndOtherWorkGetsHalf() {
        try (PasswordPool pool = new PasswordPool(SLOW, 1, 4)) {
            List<CompletableFuture<Boolean>> accepted = new ArrayList<>();
            accepted.add(pool.hash("a", PasswordPool.Lane.OTHER).map(h -> true).toFuture());
            accepted.add(pool.hash("b", PasswordPool.Lane.OTHER).map(h -> true).toFuture());
            Throwable third = pool.hash("c", PasswordPool.Lane.OTHER).map(h -> true).toFuture()
                    .handle((v, e) -> e).join();
            assertInstanceOf(PasswordPool.BusyException.class, third, "other work past half the queue");
            // Logins still have the other half.
            accepted.add(pool.hash("d", PasswordPool.Lane.LOGIN).map(h -> true).toFuture());
            accepted.add(pool.hash("e", PasswordPool.Lane.LOGIN).map(h -> true).toFuture());
            assertEquals(4, pool.inUse());
            Throwable fifth = pool.hash("f", PasswordPool.Lane.LOGIN).map(h -> true).toFuture()
                    .handle((v, e) -> e).join();
            assertInstanceOf(PasswordPool.BusyException.class, fifth, "past the whole queue");
            // What was accepted completes, and gives its place back.
            for (CompletableFuture<Boolean> f : accepted) {
                f.orTimeout(Duration.ofMinutes(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
            }
            assertEquals(0, pool.inUse());
            assertTrue(pool.verify("x", pool.hash("x", PasswordPool.Lane.OTHER).block(), PasswordPool.Lane.LOGIN)
                    .block());
        }
    }
}
