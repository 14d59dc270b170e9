package io.kezdesu.signaling.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** A conference record stays bounded under a join/leave loop, and its times stay exact. */
class ConferenceRecordTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aJoinLeaveLoopKeepsAFewIntervalsAndEverySecond() {
        ConferenceRecord r = new ConferenceRecord("c", "room", "Room", "head", T0);
        Instant t = T0;
        for (int i = 0; i < 10_000; i++) {
            r.join("looper", "Loopy", t);
            t = t.plusSeconds(3);
            r.leave("looper", t, "left");
            t = t.plusSeconds(1);
        }
        r.end(t, "empty");
        Document doc = r.toDocument();
        Document looper = doc.getList("participants", Document.class).get(0);
        List<Document> intervals = looper.getList("intervals", Document.class);
        assertEquals(ConferenceRecord.MAX_INTERVALS, intervals.size());
        assertEquals(10_000 - ConferenceRecord.MAX_INTERVALS, looper.getInteger("omittedIntervals"));
        assertEquals(30_000.0, looper.getDouble("seconds"), "3 s per visit, dropped ones included");
        // The first visits and the latest are the ones kept.
        assertEquals(T0, intervals.get(0).getDate("joinedAt").toInstant());
        assertEquals(t.minusSeconds(1), intervals.get(intervals.size() - 1).getDate("leftAt").toInstant());
        assertTrue(doc.toJson().length() < 64 * 1024, doc.toJson().length() + " characters");

        // Read back (a conference moved or recovered), the totals hold.
        ConferenceRecord again = ConferenceRecord.fromDocument(doc);
        again.join("looper", "Loopy", t);
        again.leave("looper", t.plus(Duration.ofSeconds(3)), "left");
        assertEquals(30_003.0, again.toDocument().getList("participants", Document.class).get(0).getDouble("seconds"));
    }
}
