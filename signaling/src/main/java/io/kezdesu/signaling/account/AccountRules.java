package io.kezdesu.signaling.account;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.signaling.http.ApiException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What a valid email, name and password look like; each refusal names the field and what is expected. */
public final class AccountRules {

    public static final int MIN_PASSWORD = 8;
    public static final int MAX_PASSWORD = 1024;
    public static final int MAX_NAME = 100;
    public static final int MAX_EMAIL = 254;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.][^@\\s]*");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private AccountRules() {
    }

    public static String email(JsonNode body) {
        return email(requiredString(body, "email"));
    }

    public static String email(String raw) {
        String email = raw.strip().toLowerCase(Locale.ROOT);
        if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
            throw ApiException.invalidField("email", "expected an email address such as ada@example.org");
        }
        return email;
    }

    public static String name(JsonNode body) {
        return name(requiredString(body, "name"));
    }

    public static String name(String raw) {
        String name = raw.strip();
        if (name.isEmpty() || name.length() > MAX_NAME || CONTROL.matcher(name).find()) {
            throw ApiException.invalidField("name", "expected 1 to " + MAX_NAME + " printable characters");
        }
        return name;
    }

    public static String password(JsonNode body, String field) {
        return password(requiredString(body, field), field);
    }

    public static String password(String password, String field) {
        if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw ApiException.invalidField(field, "expected " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
        }
        return password;
    }

    public static String requiredString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.invalidField(field, "required");
        }
        if (!v.isTextual()) {
            throw ApiException.invalidField(field, "expected a string");
        }
        return v.asText();
    }

    public static Optional<String> optionalString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw ApiException.invalidField(field, "expected a string");
        }
        return Optional.of(v.asText());
    }

    /** Refuses fields the endpoint does not know, so a typo ("nmae") is not silently ignored. */
    public static void onlyFields(JsonNode body, String... allowed) {
        java.util.Set<String> ok = java.util.Set.of(allowed);
        for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw ApiException.invalidField(f, "unknown field (expected: " + String.join(", ", allowed) + ")");
            }
        }
    }
}
