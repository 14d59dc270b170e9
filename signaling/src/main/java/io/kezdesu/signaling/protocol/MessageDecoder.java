package io.kezdesu.signaling.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.json.JsonMapping;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/** Text frame → {@link ClientMessage}; every refusal names what is wrong. */
public final class MessageDecoder {

    private static final int MAX_ID = 64;
    /** The most minutes one `extend` may add (the server also caps the total: max-conference-extension). */
    private static final int MAX_EXTEND_MINUTES = 1440;
    private static final Set<String> MUTE_KINDS = Set.of("audio", "video");

    private MessageDecoder() {
    }

    public static ClientMessage decode(String text) {
        return decode(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** As {@link #decode(String)}, from the frame's UTF-8 bytes (already checked to be UTF-8). */
    public static ClientMessage decode(byte[] utf8) {
        // The hot path (offer/answer/candidate) is scanned once with a streaming parser over the bytes and relayed as
        // received, never decoded to a String; only the rarer control messages are parsed into a tree.
        ClientMessage relay = scanRelay(utf8);
        if (relay != null) {
            return relay;
        }
        String text = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
        JsonNode node;
        try (com.fasterxml.jackson.core.JsonParser p = JsonMapping.MAPPER.createParser(text)) {
            node = JsonMapping.MAPPER.readTree(p);
            if (node != null && JsonMapping.textAfterValue(p)) {
                throw bad("message has text after the JSON object (expected: one JSON object per message)");
            }
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
            case "offer", "answer", "candidate" -> throw new IllegalStateException("scanned above");
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
            case "extend" -> {
                long minutes = count(msg, "minutes").orElse(0L);
                if (minutes < 1 || minutes > MAX_EXTEND_MINUTES) {
                    throw bad("minutes: expected 1 to " + MAX_EXTEND_MINUTES);
                }
                yield new ClientMessage.Extend((int) minutes);
            }
            case "admit" -> new ClientMessage.Admit(id(msg, "to"), true);
            case "deny" -> new ClientMessage.Admit(id(msg, "to"), false);
            default -> throw bad("unknown message type '" + shorten(type) + "'");
        };
    }

    /**
     * A relay message, validated without building a tree: a JSON object whose top-level {@code type} is offer, answer
     * or candidate, with a string {@code to}, no {@code from} (the server sets it), no duplicate keys among these, and
     * nothing after the object. Returns null when the message is not a relay type (or is malformed: the tree parse
     * then reports it).
     */
    private static ClientMessage scanRelay(byte[] utf8) {
        try (com.fasterxml.jackson.core.JsonParser p = JsonMapping.MAPPER.getFactory().createParser(utf8)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            String to = null;
            com.fasterxml.jackson.core.JsonToken t;
            while ((t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                switch (name) {
                    case "type" -> {
                        if (type != null || value != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                            return null;
                        }
                        type = p.getText();
                        if (!RELAY_TYPES.contains(type)) {
                            return null;
                        }
                    }
                    case "to" -> {
                        if (to != null) {
                            throw bad("to: given twice");
                        }
                        if (value != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                            throw bad("to: expected a string");
                        }
                        to = p.getText();
                    }
                    case "from" -> throw bad("from: set by the server, not the client");
                    default -> p.skipChildren();
                }
            }
            if (t != com.fasterxml.jackson.core.JsonToken.END_OBJECT || p.nextToken() != null || type == null) {
                return null;
            }
            if (to == null) {
                throw bad("to: required");
            }
            if (to.isEmpty() || to.length() > MAX_ID) {
                throw bad("to: expected 1 to " + MAX_ID + " characters");
            }
            return new ClientMessage.Relay(type, to, utf8);
        } catch (IOException e) {
            return null;
        }
    }

    private static final Set<String> RELAY_TYPES = Set.of("offer", "answer", "candidate");

    /** The {@code type} of a message that failed to decode, if it had a readable one (for the error's {@code re}). */
    /**
     * The {@code type} of a message read only as far as that field (what a node forwarding messages needs), empty
     * when the text is not an object with a short string {@code type}.
     */
    public static Optional<String> peekType(String text) {
        try (com.fasterxml.jackson.core.JsonParser p = JsonMapping.MAPPER.createParser(text)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                if ("type".equals(name)) {
                    return value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING && p.getTextLength() <= 32
                            ? Optional.of(p.getText()) : Optional.empty();
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    public static Optional<String> typeOf(String text) {
        try {
            JsonNode n = JsonMapping.MAPPER.readTree(text);
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
