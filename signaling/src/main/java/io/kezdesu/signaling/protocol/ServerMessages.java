package io.kezdesu.signaling.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.json.JsonMapping;
import java.util.Optional;

/** Builds the messages the server sends; each returns the serialised text, ready to go out once or to many. */
public final class ServerMessages {

    private ServerMessages() {
    }

    public static ObjectNode object(String type) {
        return JsonMapping.MAPPER.createObjectNode().put("type", type);
    }

    public static String text(ObjectNode message) {
        try {
            return JsonMapping.MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String error(SignalingError error, String message, Optional<String> re) {
        ObjectNode n = object("error").put("code", error.code()).put("message", message);
        re.ifPresent(r -> n.put("re", r));
        return text(n);
    }

    public static String pong() {
        return "{\"type\":\"pong\"}";
    }

    public static String peerLeft(String id, String reason) {
        return text(object("peer-left").put("id", id).put("reason", reason));
    }
}
