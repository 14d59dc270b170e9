package io.kezdesu.signaling.report;

import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** A stored conference as the API shows it: a summary, the full JSON report, or CSV (one row per interval). */
public final class ReportFormat {

    public static final String CSV_HEADER =
            "conference_id,room_id,room_name,user_id,name,joined_at,left_at,seconds,reason";

    private ReportFormat() {
    }

    public static Map<String, Object> summary(Document d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.getString("_id"));
        m.put("roomId", d.getString("roomId"));
        m.put("roomName", d.getString("roomName"));
        m.put("headId", d.getString("headId"));
        m.put("status", d.getString("status"));
        m.put("startedAt", iso(d.getDate("startedAt")));
        m.put("endedAt", iso(d.getDate("endedAt")));
        m.put("endReason", d.getString("endReason"));
        m.put("peakParticipants", d.getInteger("peakParticipants", 0));
        m.put("participantCount", d.getList("participants", Document.class, List.of()).size());
        m.put("participantMinutes", round(d.get("participantMinutes")));
        return m;
    }

    public static Map<String, Object> full(Document d) {
        Map<String, Object> m = summary(d);
        List<Map<String, Object>> people = new ArrayList<>();
        for (Document p : d.getList("participants", Document.class, List.of())) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("userId", p.getString("userId"));
            pm.put("name", p.getString("name"));
            pm.put("seconds", round(p.get("seconds")));
            List<Map<String, Object>> intervals = new ArrayList<>();
            for (Document iv : p.getList("intervals", Document.class, List.of())) {
                Map<String, Object> im = new LinkedHashMap<>();
                im.put("joinedAt", iso(iv.getDate("joinedAt")));
                im.put("leftAt", iso(iv.getDate("leftAt")));
                im.put("reason", iv.getString("reason"));
                intervals.add(im);
            }
            pm.put("intervals", intervals);
            people.add(pm);
        }
        m.put("participants", people);
        return m;
    }

    public static String csv(Document d) {
        StringBuilder out = new StringBuilder(CSV_HEADER).append("\r\n");
        for (Document p : d.getList("participants", Document.class, List.of())) {
            for (Document iv : p.getList("intervals", Document.class, List.of())) {
                Date joined = iv.getDate("joinedAt");
                Date left = iv.getDate("leftAt");
                String seconds = left == null ? "" : String.valueOf((left.getTime() - joined.getTime()) / 1000.0);
                out.append(String.join(",", cell(d.getString("_id")), cell(d.getString("roomId")),
                        cell(d.getString("roomName")), cell(p.getString("userId")), cell(p.getString("name")),
                        cell(iso(joined)), cell(iso(left)), seconds, cell(iv.getString("reason")))).append("\r\n");
            }
        }
        return out.toString();
    }

    /** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
    static String cell(String s) {
        if (s == null) {
            return "";
        }
        String v = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(s)) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String iso(Date d) {
        return d == null ? null : d.toInstant().toString();
    }

    private static double round(Object n) {
        return n instanceof Number num ? Math.round(num.doubleValue() * 1000) / 1000.0 : 0;
    }
}
