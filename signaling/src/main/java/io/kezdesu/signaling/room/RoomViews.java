package io.kezdesu.signaling.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kezdesu.signaling.json.JsonMapping;
import io.kezdesu.signaling.protocol.ServerMessages;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a live room looks on the wire and in the API: pure functions of its state, called under its lock. */
final class RoomViews {

    private RoomViews() {
    }

    /** {@code joined} or {@code resumed}: the room, who is in it with their roles, the lobby for moderators. */
    static ObjectNode snapshot(String type, Participant you, Room room, Collection<Participant> participants,
                               Collection<Participant> lobby, JsonNode iceServers) {
        ObjectNode out = ServerMessages.object(type).put("you", you.id).put("role", room.roleOf(you.userId).wire());
        out.set("room", roomNode(room));
        ArrayNode list = out.putArray("participants");
        ObjectNode roles = out.putObject("roles");
        for (Participant p : participants) {
            list.add(view(p, room));
            roles.put(p.id, room.roleOf(p.userId).wire());
        }
        if (room.roleOf(you.userId).canModerate()) {
            ArrayNode waiting = out.putArray("lobby");
            for (Participant p : lobby) {
                waiting.addObject().put("id", p.id).put("userId", p.userId).put("name", p.name);
            }
        }
        out.set("iceServers", iceServers);
        out.put("resumeToken", you.resumeToken);
        return out;
    }

    /** One participant as others see it. */
    static ObjectNode view(Participant p, Room room) {
        return JsonMapping.MAPPER.createObjectNode().put("id", p.id).put("userId", p.userId)
                .put("name", p.name).put("role", room.roleOf(p.userId).wire()).put("audio", p.audio)
                .put("video", p.video);
    }

    /** The room's public view and its head. */
    static ObjectNode roomNode(Room room) {
        ObjectNode n = JsonMapping.MAPPER.valueToTree(room.publicView());
        n.put("headId", room.headId());
        return n;
    }

    /** A knock as moderators see it. */
    static String knock(Participant waiting) {
        return ServerMessages.text(ServerMessages.object("knock").put("id", waiting.id)
                .put("userId", waiting.userId).put("name", waiting.name));
    }

    /** Live participants for the API's full view. */
    static List<Map<String, Object>> participantViews(Collection<Participant> participants, Room room) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Participant p : participants) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id);
            m.put("userId", p.userId);
            m.put("name", p.name);
            m.put("role", room.roleOf(p.userId).wire());
            m.put("since", p.since.toString());
            m.put("connected", !p.suspended());
            out.add(m);
        }
        return out;
    }
}
