package io.kezdesu.signaling.peerjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Registration races: one winner per id, the limit never overshot, a replaced socket never unregisters the id. */
class PeerRealmTest {

    private static final class Link implements PeerLink {
        final List<byte[]> sent = new ArrayList<>();

        @Override
        public synchronized void send(byte[] json) {
            sent.add(json);
        }

        @Override
        public void close() {
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    @Test
    void manySocketsRacingForOneIdUnderDifferentTokensLeaveOneHolder() throws Exception {
        PeerRealm realm = new PeerRealm(5000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PeerRealm.Registration>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String owner = "token:" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return realm.register("same", owner, new Link(), System.nanoTime(), () -> { });
                }));
            }
            go.countDown();
            int opened = 0;
            for (Future<PeerRealm.Registration> r : results) {
                if (r.get() instanceof PeerRealm.Registration.Opened) {
                    opened++;
                } else {
                    assertInstanceOf(PeerRealm.Registration.Taken.class, r.get());
                }
            }
            assertEquals(1, opened);
            assertEquals(1, realm.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theConcurrentLimitHoldsUnderARush() throws Exception {
        PeerRealm realm = new PeerRealm(10);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<PeerRealm.Registration>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = "id" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return realm.register(id, "t", new Link(), System.nanoTime(), () -> { });
                }));
            }
            go.countDown();
            long opened = 0;
            for (Future<PeerRealm.Registration> r : results) {
                opened += r.get() instanceof PeerRealm.Registration.Opened ? 1 : 0;
            }
            assertEquals(10, opened);
            assertEquals(10, realm.size());
            assertEquals(10, realm.ids().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReplacedSocketClosingLeavesTheIdWithTheNewOne() {
        PeerRealm realm = new PeerRealm(10);
        Link first = new Link();
        Link second = new Link();
        PeerClient c = ((PeerRealm.Registration.Opened) realm.register("a", "t", first, 0, () -> { })).client();
        PeerRealm.Registration r = realm.register("a", "t", second, 1, () -> { });
        assertSame(first, ((PeerRealm.Registration.Replaced) r).previous());
        assertFalse(realm.remove(c, first));
        assertSame(second, realm.get("a").link());
        assertTrue(realm.remove(c, second));
        assertEquals(0, realm.size());
    }
}
