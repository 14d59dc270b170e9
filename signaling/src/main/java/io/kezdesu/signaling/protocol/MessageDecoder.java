package io.kezdesu.signaling.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.http.Json;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/** Text frame → {@link ClientMessage}; every refusal names what is wrong. */
public final class MessageDecoder {

    private static final int MAX_ID = 64;
    private static final Set<String> MUTE_KINDS = Set.of("audio", "video");

    private MessageDecoder() {
    }

    public static ClientMessage decode(String text) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw bad("message is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw bad("message is not a JSON object");
        }
        ObjectNode msg = (ObjectNode) node;
        String type = text(msg, "type");
        return switch (type) {
            case "join" -> new ClientMessage.Join(id(msg, "room"), optionalText(msg, "password"));
            case "resume" -> new ClientMessage.Resume(id(msg, "token"), count(msg, "received"));
            case "leave" -> new ClientMessage.Leave();
            case "ping" -> new ClientMessage.Ping();
            case "offer", "answer", "candidate" -> new ClientMessage.Relay(type, id(msg, "to"), msg);
            case "media" -> new ClientMessage.Media(bool(msg, "audio"), bool(msg, "video"));
            case "kick" -> new ClientMessage.Kick(id(msg, "to"), msg.path("ban").asBoolean(false));
            case "mute-request" -> {
                String kind = optionalText(msg, "kind").orElse("audio");
                if (!MUTE_KINDS.contains(kind)) {
                    throw bad("kind: expected audio or video");
                }
                yield new ClientMessage.MuteRequest(id(msg, "to"), kind);
            }
            case "promote" -> {
                String role = optionalText(msg, "role").orElse("moderator");
                if (!role.equals("moderator") && !role.equals("head")) {
                    throw bad("role: expected moderator or head");
                }
                yield new ClientMessage.Promote(id(msg, "to"), role);
            }
            case "demote" -> new ClientMessage.Demote(id(msg, "to"));
            case "lock" -> new ClientMessage.Lock(true);
            case "unlock" -> new ClientMessage.Lock(false);
            case "close" -> new ClientMessage.Close();
            case "admit" -> new ClientMessage.Admit(id(msg, "to"), true);
            case "deny" -> new ClientMessage.Admit(id(msg, "to"), false);
            default -> throw bad("unknown message type '" + shorten(type) + "'");
        };
    }

    /** The {@code type} of a message that failed to decode, if it had a readable one (for the error's {@code re}). */
    public static Optional<String> typeOf(String text) {
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            JsonNode t = n == null ? null : n.get("type");
            return t != null && t.isTextual() && t.asText().length() <= 32 ? Optional.of(t.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String text(ObjectNode msg, String field) {
        JsonNode v = msg.get(field);
        if (v == null || v.isNull()) {
            throw bad(field + ": required");
        }
        if (!v.isTextual()) {
            throw bad(field + ": expected a string");
        }
        return v.asText();
    }

    private static String id(ObjectNode msg, String field) {
        String v = text(msg, field);
        if (v.isEmpty() || v.length() > MAX_ID) {
            throw bad(field + ": expected 1 to " + MAX_ID + " characters");
        }
        return v;
    }

    private static Optional<String> optionalText(ObjectNode msg, String field) {
        JsonNode v = msg.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw bad(field + ": expected a string");
        }
        return Optional.of(v.asText());
    }

    private static Optional<Long> count(ObjectNode msg, String field) {
        JsonNode v = msg.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw bad(field + ": expected a non-negative integer");
        }
        return Optional.of(v.asLong());
    }

    private static boolean bool(ObjectNode msg, String field) {
        JsonNode v = msg.get(field);
        if (v == null || !v.isBoolean()) {
            throw bad(field + ": expected true or false");
        }
        return v.asBoolean();
    }

    private static String shorten(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(SignalingError.BAD_REQUEST, message);
    }
}
