package io.kezdesu.signaling.account;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;

/**
 * An account. {@code tokenVersion} is written into every login token and raised on each password change or reset,
 * which revokes all tokens issued before.
 * {@link #toString()} hides the password hash.
 */
public record User(String id, String email, String name, String passwordHash, boolean disabled, Instant createdAt,
                   Instant updatedAt, long tokenVersion, java.util.List<String> groups) {

    public User {
        groups = groups == null ? java.util.List.of() : java.util.List.copyOf(groups);
    }

    /** An account without identity-provider groups. */
    public User(String id, String email, String name, String passwordHash, boolean disabled, Instant createdAt,
                Instant updatedAt, long tokenVersion) {
        this(id, email, name, passwordHash, disabled, createdAt, updatedAt, tokenVersion, java.util.List.of());
    }

    static User fromDocument(Document d) {
        return new User(d.getString("_id"), d.getString("email"), d.getString("name"), d.getString("passwordHash"),
                Boolean.TRUE.equals(d.getBoolean("disabled")), d.getDate("createdAt").toInstant(),
                d.getDate("updatedAt").toInstant(), ((Number) d.get("tokenVersion")).longValue(),
                d.getList(UserRepository.IDP_GROUPS, String.class, java.util.List.of()));
    }

    Document toDocument() {
        return new Document("_id", id)
                .append("email", email)
                .append("name", name)
                .append("passwordHash", passwordHash)
                .append("disabled", disabled)
                .append("createdAt", java.util.Date.from(createdAt))
                .append("updatedAt", java.util.Date.from(updatedAt))
                .append("tokenVersion", tokenVersion);
    }

    /** What the API shows of an account. */
    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("email", email);
        m.put("name", name);
        m.put("disabled", disabled);
        if (!groups.isEmpty()) {
            m.put("groups", groups);
        }
        m.put("createdAt", createdAt.toString());
        m.put("updatedAt", updatedAt.toString());
        return m;
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", email=" + email + ", disabled=" + disabled + "]";
    }
}
