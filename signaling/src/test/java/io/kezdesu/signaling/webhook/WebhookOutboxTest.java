package io.kezdesu.signaling.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbox in the embedded store: finding the oldest pending event of each (receiver, room) when one room's
 * backlog is longer than a round of the look (its receiver was down for hours): the rooms behind it are found too,
 * each by its oldest event. With one round of the oldest events only, as before, they were not, and waited for the
 * long backlog to drain first (for ever, if its receiver kept refusing that room).
 */
class WebhookOutboxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static WebhookOutbox.Entry entry(String receiver, String room, Instant at, long seq, Instant nextAt) {
        return new WebhookOutbox.Entry(receiver + "-" + room + "-" + seq, receiver, room, at, seq, "{}", 0, nextAt,
                Instant.EPOCH, at);
    }

    @Test
    void aLongBacklogInOneRoomDoesNotHideTheRoomsBehindIt(@TempDir Path dir) {
        try (Store store = Store.open(Config.defaults().with(ConfigKeys.DATA_DIR, dir), DataDirectory.open(dir))) {
            WebhookOutbox outbox = new WebhookOutbox(store.database(), 4, WebhookOutbox.FEW_PAIRS);
            Instant t = Instant.parse("2026-12-07T10:00:00Z");
            List<WebhookOutbox.Entry> entries = new ArrayList<>();
            long seq = 0;
            // Room "busy": ten events, the oldest, not due for an hour; then one due event in each of six rooms, and
            // one to another receiver.
            for (int i = 0; i < 10; i++) {
                entries.add(entry("r1", "busy", t.plusMillis(i), ++seq, t.plusSeconds(3600)));
            }
            for (String room : List.of("a", "b", "c", "d", "e", "f")) {
                entries.add(entry("r1", room, t.plusSeconds(seq), ++seq, t));
            }
            entries.add(entry("r2", "busy", t.plusSeconds(seq), ++seq, t));
            outbox.add(entries).block(WAIT);

            // Wanting more due heads than there are: every pair is found (in three rounds of four: busy's oldest
            // four, then a to d, then e, f and r2's), each by its oldest event.
            WebhookOutbox.Heads heads = outbox.heads(t, 100).block(WAIT);
            Map<String, Long> oldest = new TreeMap<>();
            for (WebhookOutbox.Entry e : heads.oldest()) {
                oldest.put(e.receiver() + "/" + e.room(), e.seq());
            }
            assertEquals(new TreeMap<>(Map.of("r1/busy", 1L, "r1/a", 11L, "r1/b", 12L, "r1/c", 13L, "r1/d", 14L,
                    "r1/e", 15L, "r1/f", 16L, "r2/busy", 17L)), oldest);
            assertEquals(17, heads.pending(), "all of them counted, although busy's last six were never read");

            // Wanting one due head: the look stops after the round that found some.
            WebhookOutbox.Heads enough = outbox.heads(t, 1).block(WAIT);
            assertEquals(List.of("busy", "a", "b", "c", "d"), enough.oldest().stream()
                    .map(WebhookOutbox.Entry::room).toList());

            // Past a few pairs the look stops (its cost stays bounded): with a bound of four, after the second round.
            WebhookOutbox bounded = new WebhookOutbox(store.database(), 4, 4);
            assertEquals(List.of("busy", "a", "b", "c", "d"), bounded.heads(t, 100).block(WAIT).oldest().stream()
                    .map(WebhookOutbox.Entry::room).toList());
        }
    }
}
