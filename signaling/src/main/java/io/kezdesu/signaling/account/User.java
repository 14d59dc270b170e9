package io.kezdesu.signaling.account;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;

/**
 * An account. {@code tokensValidAfter} invalidates every login token issued before it (password change or reset).
 * {@link #toString()} hides the password hash.
 */
public record User(String id, String email, String name, String passwordHash, boolean disabled, Instant createdAt,
                   Instant updatedAt, Instant tokensValidAfter) {

    static User fromDocument(Document d) {
        return new User(d.getString("_id"), d.getString("email"), d.getString("name"), d.getString("passwordHash"),
                Boolean.TRUE.equals(d.getBoolean("disabled")), d.getDate("createdAt").toInstant(),
                d.getDate("updatedAt").toInstant(), d.getDate("tokensValidAfter").toInstant());
    }

    Document toDocument() {
        return new Document("_id", id)
                .append("email", email)
                .append("name", name)
                .append("passwordHash", passwordHash)
                .append("disabled", disabled)
                .append("createdAt", java.util.Date.from(createdAt))
                .append("updatedAt", java.util.Date.from(updatedAt))
                .append("tokensValidAfter", java.util.Date.from(tokensValidAfter));
    }

    /** What the API shows of an account. */
    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("email", email);
        m.put("name", name);
        m.put("disabled", disabled);
        m.put("createdAt", createdAt.toString());
        m.put("updatedAt", updatedAt.toString());
        return m;
    }

    @Override
    public String toString() {
        return "User[id=" + id + ", email=" + email + ", disabled=" + disabled + "]";
    }
}
