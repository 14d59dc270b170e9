package io.kezdesu.signaling.room;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bson.Document;

/**
 * A room's regulation: when it may be used ({@code notBefore}, {@code notAfter}) and how long one conference may last
 * ({@code maxDurationMinutes}); each null when not set. A conference ends at the earlier of its start plus the
 * maximum (plus what its head added) and {@code notAfter}.
 */
public record Regulation(Instant notBefore, Instant notAfter, Integer maxDurationMinutes) {

    public static final Regulation NONE = new Regulation(null, null, null);
    /** The longest a conference may be set to last: a week. */
    public static final int MAX_DURATION_MINUTES = 7 * 24 * 60;

    /** A change: each field absent (unchanged), empty (cleared) or set. */
    public record Change(Optional<Optional<Instant>> notBefore, Optional<Optional<Instant>> notAfter,
                         Optional<Optional<Integer>> maxDurationMinutes) {
        public static final Change NONE = new Change(Optional.empty(), Optional.empty(), Optional.empty());

        public boolean isEmpty() {
            return notBefore.isEmpty() && notAfter.isEmpty() && maxDurationMinutes.isEmpty();
        }
    }

    public Regulation with(Change c) {
        return new Regulation(c.notBefore().map(o -> o.orElse(null)).orElse(notBefore),
                c.notAfter().map(o -> o.orElse(null)).orElse(notAfter),
                c.maxDurationMinutes().map(o -> o.orElse(null)).orElse(maxDurationMinutes));
    }

    /** Why this regulation cannot be, or empty when it can. */
    public Optional<String> problem() {
        if (notBefore != null && notAfter != null && !notAfter.isAfter(notBefore)) {
            return Optional.of("notAfter: expected a time after notBefore");
        }
        if (maxDurationMinutes != null && (maxDurationMinutes < 1 || maxDurationMinutes > MAX_DURATION_MINUTES)) {
            return Optional.of("maxDurationMinutes: expected 1 to " + MAX_DURATION_MINUTES);
        }
        return Optional.empty();
    }

    /** When a conference that started at {@code start}, extended by {@code extension}, must end; empty: never. */
    public Optional<Instant> deadline(Instant start, Duration extension) {
        Instant byLength = maxDurationMinutes == null ? null
                : start.plus(Duration.ofMinutes(maxDurationMinutes)).plus(extension);
        if (byLength == null) {
            return Optional.ofNullable(notAfter);
        }
        return Optional.of(notAfter == null || byLength.isBefore(notAfter) ? byLength : notAfter);
    }

    /** Whether the deadline is the room's {@code notAfter} (its time is over) rather than the conference's length. */
    public boolean endsByExpiry(Instant start, Duration extension) {
        return notAfter != null && deadline(start, extension).map(notAfter::equals).orElse(false);
    }

    static Regulation fromDocument(Document d) {
        Date nb = d.getDate("notBefore");
        Date na = d.getDate("notAfter");
        Object max = d.get("maxDurationMinutes");
        return new Regulation(nb == null ? null : nb.toInstant(), na == null ? null : na.toInstant(),
                max instanceof Number n ? n.intValue() : null);
    }

    void appendTo(Document d) {
        d.append("notBefore", notBefore == null ? null : Date.from(notBefore))
                .append("notAfter", notAfter == null ? null : Date.from(notAfter))
                .append("maxDurationMinutes", maxDurationMinutes);
    }

    /** For views: only the fields that are set. */
    void putInto(Map<String, Object> view) {
        if (notBefore != null) {
            view.put("notBefore", notBefore.toString());
        }
        if (notAfter != null) {
            view.put("notAfter", notAfter.toString());
        }
        if (maxDurationMinutes != null) {
            view.put("maxDurationMinutes", maxDurationMinutes);
        }
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        putInto(m);
        return m;
    }
}
