package io.kezdesu.common.lazy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyTest {

    @Test
    void madeOnceOnFirstUseWhateverTheThreadsAndAgainOnlyAfterAFailure() throws Exception {
        AtomicInteger made = new AtomicInteger();
        Lazy<Object> lazy = new Lazy<>(() -> {
            made.incrementAndGet();
            return new Object();
        });
        assertEquals(0, made.get(), "nothing is made before it is used");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> got = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            got.add(pool.submit(() -> {
                go.await();
                return lazy.get();
            }));
        }
        go.countDown();
        Object first = got.get(0).get(10, TimeUnit.SECONDS);
        for (Future<Object> f : got) {
            assertSame(first, f.get(10, TimeUnit.SECONDS));
        }
        pool.shutdownNow();
        assertEquals(1, made.get());

        AtomicInteger tries = new AtomicInteger();
        Lazy<String> flaky = new Lazy<>(() -> {
            if (tries.incrementAndGet() == 1) {
                throw new IllegalStateException("not yet");
            }
            return "made";
        });
        assertThrows(IllegalStateException.class, flaky::get);
        assertEquals("made", flaky.get());
        assertEquals("made", flaky.get());
        assertEquals(2, tries.get());
    }
}
