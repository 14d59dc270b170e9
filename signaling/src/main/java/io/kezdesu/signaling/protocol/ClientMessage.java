package io.kezdesu.signaling.protocol;

import java.util.Optional;

/** Everything a client may send, one record per {@code type}. See docs/PROTOCOL.md. */
public sealed interface ClientMessage {

    /** The wire {@code type}. */
    String type();

    record Join(String room, Optional<String> password) implements ClientMessage {
        public String type() {
            return "join";
        }
    }

    /** {@code received}: how many room messages the client got before its socket dropped (replay point). */
    record Resume(String token, Optional<Long> received) implements ClientMessage {
        public String type() {
            return "resume";
        }
    }

    record Leave() implements ClientMessage {
        public String type() {
            return "leave";
        }
    }

    record Ping() implements ClientMessage {
        public String type() {
            return "ping";
        }
    }

    /**
     * {@code offer}, {@code answer} or {@code candidate}: relayed verbatim to {@code to}, stamped with {@code from}.
     * {@code json} is the message as received (a validated JSON object without a {@code from} key): the server
     * splices {@code from} into it instead of re-serialising a parsed tree.
     */
    record Relay(String type, String to, String json) implements ClientMessage {

        /** The message with {@code "from":"<sender>"} as its first member. */
        public String stampedWith(String from) {
            int open = json.indexOf('{');
            return "{\"from\":\"" + from + "\"," + json.substring(open + 1);
        }
    }

    /** The sender's own microphone/camera state, shown to the others. */
    record Media(boolean audio, boolean video) implements ClientMessage {
        public String type() {
            return "media";
        }
    }

    record Kick(String to, boolean ban) implements ClientMessage {
        public String type() {
            return "kick";
        }
    }

    record MuteRequest(String to, String kind) implements ClientMessage {
        public String type() {
            return "mute-request";
        }
    }

    /** Make {@code to} a moderator, or (by the head) the new head. */
    record Promote(String to, String role) implements ClientMessage {
        public String type() {
            return "promote";
        }
    }

    record Demote(String to) implements ClientMessage {
        public String type() {
            return "demote";
        }
    }

    record Lock(boolean locked) implements ClientMessage {
        public String type() {
            return locked ? "lock" : "unlock";
        }
    }

    record Close() implements ClientMessage {
        public String type() {
            return "close";
        }
    }

    /** The head adds minutes to the running conference. */
    record Extend(int minutes) implements ClientMessage {
        public String type() {
            return "extend";
        }
    }

    /** A moderator's answer to a lobby knock. */
    record Admit(String to, boolean admitted) implements ClientMessage {
        public String type() {
            return admitted ? "admit" : "deny";
        }
    }
}
