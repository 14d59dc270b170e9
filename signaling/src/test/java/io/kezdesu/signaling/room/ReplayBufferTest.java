package io.kezdesu.signaling.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replay ring against a plain list of what it should keep, through wrap-around, growth and every bound. */
class ReplayBufferTest {

    private static final long WINDOW = 1_000;

    private static byte[] message(int n, int length) {
        byte[] json = new byte[length];
        for (int i = 0; i < length; i++) {
            json[i] = (byte) ('a' + (n + i) % 26);
        }
        return json;
    }

    private static List<String> strings(List<byte[]> messages) {
        List<String> out = new ArrayList<>();
        for (byte[] m : messages) {
            out.add(new String(m, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    @Test
    void keepsWhatTheBoundsAllowInOrderThroughWrapAroundAndGrowth() {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            int maxCount = 1 + random.nextInt(40);
            long maxBytes = 64 + random.nextInt(4000);
            ReplayBuffer buffer = new ReplayBuffer();
            List<byte[]> model = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            long now = 0;
            for (int n = 1; n <= 2000; n++) {
                now += random.nextInt(300);
                boolean connected = random.nextInt(4) != 0;
                byte[] json = message(n, random.nextInt(random.nextInt(10) == 0 ? 700 : 90));
                buffer.record(json, now, maxCount, maxBytes, WINDOW, connected);
                // The model: what a list keeps under the same rules.
                if (json.length > maxBytes) {
                    model.clear();
                    times.clear();
                } else {
                    model.add(json);
                    times.add(now);
                    long bytes = model.stream().mapToLong(m -> m.length).sum();
                    while (model.size() > maxCount || bytes > maxBytes
                            || (connected && now - times.get(0) > WINDOW)) {
                        bytes -= model.remove(0).length;
                        times.remove(0);
                    }
                }
                assertEquals(strings(model), strings(buffer.missedAfter(Optional.of((long) n - model.size()),
                        false).orElseThrow()), "round " + round + " after message " + n);
                assertTrue(buffer.missedAfter(Optional.of((long) n - model.size() - 1), false).isEmpty(),
                        "one before the oldest kept is not replayable");
            }
            assertTrue(buffer.capacityBytes() <= 2 * maxBytes + 12L * Math.max(4, maxCount),
                    "grew past its bounds: " + buffer.capacityBytes());
        }
    }

    @Test
    void aResumeWithoutACountGetsWhatCameAfterTheDrop() {
        ReplayBuffer buffer = new ReplayBuffer();
        for (int n = 1; n <= 5; n++) {
            buffer.record(message(n, 10), n, 256, 1 << 20, WINDOW, true);
        }
        buffer.dropped();
        buffer.record(message(6, 10), 6, 256, 1 << 20, WINDOW, false);
        buffer.record(message(7, 10), 7, 256, 1 << 20, WINDOW, false);
        assertEquals(2, buffer.sinceDrop());
        assertEquals(strings(List.of(message(6, 10), message(7, 10))),
                strings(buffer.missedAfter(Optional.empty(), true).orElseThrow()));
        assertEquals(List.of(), buffer.missedAfter(Optional.empty(), false).orElseThrow());
        assertTrue(buffer.missedAfter(Optional.of(8L), false).isEmpty(), "a count beyond what was delivered");
    }

    @Test
    void aTakeOverReplaysAllItKeptAndNumbersOnFromTheClientsCount() {
        ReplayBuffer buffer = new ReplayBuffer();
        buffer.record(message(1, 30), 1, 256, 1 << 20, WINDOW, false);
        buffer.record(message(2, 40), 2, 256, 1 << 20, WINDOW, false);
        assertEquals(strings(List.of(message(1, 30), message(2, 40))), strings(buffer.takeOver(Optional.of(100L))));
        buffer.record(message(3, 5), 3, 256, 1 << 20, WINDOW, true);
        assertEquals(strings(List.of(message(3, 5))), strings(buffer.missedAfter(Optional.of(102L), false)
                .orElseThrow()));
        assertEquals("delivered 103, kept 3", buffer.describe());
    }

    @Test
    void aRingGrownForABurstIsGivenBackOnceTheBurstHasAgedOut() {
        ReplayBuffer buffer = new ReplayBuffer();
        for (int n = 1; n <= 20; n++) {
            buffer.record(message(n, 3000), n, 256, 1 << 20, WINDOW, true);
        }
        int grown = buffer.capacityBytes();
        assertTrue(grown >= 60_000, "holds the burst: " + grown);
        // Small messages long after: the burst ages out and the ring shrinks towards what is kept.
        for (int n = 21; n <= 60; n++) {
            buffer.record(message(n, 50), 10 * WINDOW + n, 256, 1 << 20, WINDOW, true);
        }
        assertTrue(buffer.capacityBytes() < 8_192, "still " + buffer.capacityBytes() + " bytes after the burst");
        assertEquals(strings(List.of(message(59, 50), message(60, 50))),
                strings(buffer.missedAfter(Optional.of(58L), false).orElseThrow()));
    }

    @Test
    void anEmptyMessageIsNumberedAndKept() {
        ReplayBuffer buffer = new ReplayBuffer();
        buffer.record(new byte[0], 1, 256, 1 << 20, WINDOW, true);
        buffer.record(message(2, 3), 2, 256, 1 << 20, WINDOW, true);
        assertEquals(List.of("", new String(message(2, 3), StandardCharsets.ISO_8859_1)),
                strings(buffer.missedAfter(Optional.of(0L), false).orElseThrow()));
    }
}
