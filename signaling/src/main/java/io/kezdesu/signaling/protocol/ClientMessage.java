package io.kezdesu.signaling.protocol;

import java.nio.charset.StandardCharsets;
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
     * {@code utf8} is the message as received (a validated JSON object without a {@code from} key, UTF-8): the server
     * splices {@code from} into its bytes instead of decoding it, or re-serialising a parsed tree.
     */
    record Relay(String type, String to, byte[] utf8) implements ClientMessage {

        /** The message with {@code "from":"<sender>"} as its first member (the sender is a server-made id). */
        public byte[] stampedWith(String from) {
            int open = 0;
            while (utf8[open] != '{') {
                open++;
            }
            byte[] prefix = ("{\"from\":\"" + from + "\",").getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[prefix.length + utf8.length - open - 1];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(utf8, open + 1, out, prefix.length, utf8.length - open - 1);
            return out;
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
