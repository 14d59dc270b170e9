package io.kezdesu.signaling.room;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;

/**
 * A room as stored: its settings, its head and moderators, and users banned for good. Immutable. {@code version}
 * counts the writes the store has taken (each {@link RoomRepository} write raises it), so that of two answers the
 * newer one wins.
 */
public record Room(String id, String name, String headId, Set<String> moderators, int maxParticipants,
                   boolean locked, String passwordHash, boolean lobby, Set<String> banned, boolean closed,
                   Instant createdAt, Instant updatedAt, long version, Regulation regulation) {

    public Room {
        moderators = Set.copyOf(moderators);
        banned = Set.copyOf(banned);
        regulation = regulation == null ? Regulation.NONE : regulation;
    }

    /** A room without a regulation. */
    public Room(String id, String name, String headId, Set<String> moderators, int maxParticipants, boolean locked,
                String passwordHash, boolean lobby, Set<String> banned, boolean closed, Instant createdAt,
                Instant updatedAt, long version) {
        this(id, name, headId, moderators, maxParticipants, locked, passwordHash, lobby, banned, closed, createdAt,
                updatedAt, version, Regulation.NONE);
    }

    public Role roleOf(String userId) {
        if (headId.equals(userId)) {
            return Role.HEAD;
        }
        return moderators.contains(userId) ? Role.MODERATOR : Role.PARTICIPANT;
    }

    public boolean hasPassword() {
        return passwordHash != null;
    }

    static Room fromDocument(Document d) {
        return new Room(d.getString("_id"), d.getString("name"), d.getString("headId"),
                new LinkedHashSet<>(d.getList("moderators", String.class, List.of())),
                d.getInteger("maxParticipants", 10), d.getBoolean("locked", false), d.getString("passwordHash"),
                d.getBoolean("lobby", false), new LinkedHashSet<>(d.getList("banned", String.class, List.of())),
                d.getBoolean("closed", false), d.getDate("createdAt").toInstant(), d.getDate("updatedAt").toInstant(),
                d.get("version") instanceof Number n ? n.longValue() : 0L, Regulation.fromDocument(d));
    }

    Document toDocument() {
        Document d = new Document("_id", id)
                .append("name", name)
                .append("headId", headId)
                .append("moderators", new ArrayList<>(moderators))
                .append("maxParticipants", maxParticipants)
                .append("locked", locked)
                .append("passwordHash", passwordHash)
                .append("lobby", lobby)
                .append("banned", new ArrayList<>(banned))
                .append("closed", closed)
                .append("createdAt", Date.from(createdAt))
                .append("updatedAt", Date.from(updatedAt))
                .append("version", version);
        regulation.appendTo(d);
        return d;
    }

    /** What anyone holding the room's link may see. */
    public Map<String, Object> publicView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("maxParticipants", maxParticipants);
        m.put("locked", locked);
        m.put("lobby", lobby);
        m.put("hasPassword", hasPassword());
        m.put("closed", closed);
        regulation.putInto(m);
        return m;
    }

    /** What the head and moderators see. */
    public Map<String, Object> fullView() {
        Map<String, Object> m = publicView();
        m.put("headId", headId);
        m.put("moderators", List.copyOf(moderators));
        m.put("banned", List.copyOf(banned));
        m.put("createdAt", createdAt.toString());
        m.put("updatedAt", updatedAt.toString());
        return m;
    }

    @Override
    public String toString() {
        return "Room[id=" + id + ", name=" + name + ", head=" + headId + "]";
    }
}
