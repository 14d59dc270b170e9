package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.Main;
import io.kezdesu.cli.support.VersionProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kezdesu room list|create|show|close|kick|limit|lock|unlock|promote}: acts on the running daemon, so people in
 * a live room see the effect at once.
 */
@Command(name = "room", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Administer rooms on a running daemon.", subcommands = {CommandLine.HelpCommand.class})
public final class RoomCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine c = new CommandLine(new RoomCommand());
        for (Object sub : new Object[] {new ListRooms(env), new Create(env), new Show(env), new Close(env),
                new Kick(env), new Limit(env), new Lock(env), new Unlock(env), new Promote(env)}) {
            c.addSubcommand(new CommandLine(sub));
        }
        return c;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Shared printing of a room. */
    abstract static class RoomBase extends UserCommand.Base {
        RoomBase(Map<String, String> env) {
            super(env);
        }

        void printRoom(JsonNode room, String headline) {
            if (admin.json) {
                out().println(room.toString());
            } else {
                if (headline != null) {
                    out().println(headline);
                }
                out().printf("id:            %s%n", room.path("id").asText());
                out().printf("name:          %s%n", room.path("name").asText());
                out().printf("head:          %s%n", room.path("headId").asText());
                out().printf("moderators:    %s%n", join(room.path("moderators")));
                out().printf("limit:         %d%n", room.path("maxParticipants").asInt());
                out().printf("locked:        %s%n", room.path("locked").asBoolean());
                out().printf("lobby:         %s%n", room.path("lobby").asBoolean());
                out().printf("password:      %s%n", room.path("hasPassword").asBoolean() ? "set" : "none");
                out().printf("closed:        %s%n", room.path("closed").asBoolean());
                out().printf("participants:  %d%n", room.path("participantCount").asInt());
                for (JsonNode p : room.path("participants")) {
                    out().printf("  %-14s %-20s %-10s %s%n", p.path("id").asText(), p.path("name").asText(),
                            p.path("role").asText(), p.path("userId").asText());
                }
            }
            out().flush();
        }

        static String join(JsonNode array) {
            StringBuilder sb = new StringBuilder();
            array.forEach(n -> sb.append(sb.length() == 0 ? "" : ", ").append(n.asText()));
            return sb.length() == 0 ? "-" : sb.toString();
        }

        static String room(String id) {
            return "/admin/rooms/" + encode(id);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List rooms (open ones unless --all).")
    static final class ListRooms extends RoomBase {
        @Option(names = "--all", description = "Include closed rooms")
        boolean all;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "<n>",
                description = "List at most this many rooms (default: ${DEFAULT-VALUE})")
        int limit;

        ListRooms(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            JsonNode rooms = admin.client(env).get("/admin/rooms?limit=" + limit + "&all=" + all).path("rooms");
            if (admin.json) {
                out().println(rooms.toString());
            } else {
                out().printf("%-18s %-24s %-6s %-7s %-7s %s%n", "ID", "NAME", "LIMIT", "PEOPLE", "LOCKED", "STATE");
                for (JsonNode r : rooms) {
                    out().printf("%-18s %-24s %-6d %-7d %-7s %s%n", r.path("id").asText(), r.path("name").asText(),
                            r.path("maxParticipants").asInt(), r.path("participantCount").asInt(),
                            r.path("locked").asBoolean() ? "yes" : "no",
                            r.path("closed").asBoolean() ? "closed" : "open");
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a room headed by a user.")
    static final class Create extends RoomBase {
        @Option(names = "--name", required = true, paramLabel = "<name>", description = "The room's name")
        String name;

        @Option(names = "--head", required = true, paramLabel = "<user>", description = "The head: user id or email")
        String head;

        @Option(names = "--max-participants", paramLabel = "<n>", description = "Participant limit (default: the "
                + "server's default-max-participants; at most its max-participants-limit)")
        Integer max;

        @Option(names = "--lobby", description = "Joiners wait until the head or a moderator admits them")
        boolean lobby;

        @Option(names = "--password-stdin", description = "Read the room password from standard input")
        boolean passwordStdin;

        Create(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("head", head);
            if (max != null) {
                body.put("maxParticipants", max);
            }
            body.put("lobby", lobby);
            if (passwordStdin) {
                body.put("password", readPassword());
            }
            printRoom(admin.client(env).post("/admin/rooms", body), "created room");
            return Main.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a room and who is in it.")
    static final class Show extends RoomBase {
        @Parameters(paramLabel = "<room>")
        String room;

        Show(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            printRoom(admin.client(env).get(room(room)), null);
            return Main.OK;
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = "Close a room: everyone in it is told and disconnected from it.")
    static final class Close extends RoomBase {
        @Parameters(paramLabel = "<room>")
        String room;

        Close(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            printRoom(admin.client(env).post(room(room) + "/close", Map.of()), "closed room");
            return Main.OK;
        }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true,
            description = "Remove a user from a room for the rest of the conference (for good with --ban).")
    static final class Kick extends RoomBase {
        @Parameters(index = "0", paramLabel = "<room>")
        String room;

        @Parameters(index = "1", paramLabel = "<user>", description = "User id, email, or participant id")
        String user;

        @Option(names = "--ban", description = "Keep them out of this room for good")
        boolean ban;

        Kick(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            JsonNode r = admin.client(env).post(room(room) + "/kick", Map.of("user", user, "ban", ban));
            if (admin.json) {
                out().println(r.toString());
            } else {
                boolean present = r.path("kicked").asBoolean();
                out().println(present ? (ban ? "kicked and banned " : "kicked ") + user
                        : ban ? "banned " + user + " (not in the room now)" : user + " is not in the room now");
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "limit", mixinStandardHelpOptions = true, description = "Set a room's participant limit.")
    static final class Limit extends RoomBase {
        @Parameters(index = "0", paramLabel = "<room>")
        String room;

        @Parameters(index = "1", paramLabel = "<n>")
        int limit;

        Limit(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            printRoom(admin.client(env).patch(room(room), Map.of("maxParticipants", limit)), "updated room");
            return Main.OK;
        }
    }

    @Command(name = "lock", mixinStandardHelpOptions = true,
            description = "Lock a room: only its head and moderators may join.")
    static final class Lock extends SetLock {
        Lock(Map<String, String> env) {
            super(env, true);
        }
    }

    @Command(name = "unlock", mixinStandardHelpOptions = true, description = "Unlock a room.")
    static final class Unlock extends SetLock {
        Unlock(Map<String, String> env) {
            super(env, false);
        }
    }

    abstract static class SetLock extends RoomBase {
        final boolean locked;

        @Parameters(paramLabel = "<room>")
        String room;

        SetLock(Map<String, String> env, boolean locked) {
            super(env);
            this.locked = locked;
        }

        @Override
        public Integer call() {
            printRoom(admin.client(env).patch(room(room), Map.of("locked", locked)), "updated room");
            return Main.OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Make a user a moderator of a room (or, with --head, its head).")
    static final class Promote extends RoomBase {
        @Parameters(index = "0", paramLabel = "<room>")
        String room;

        @Parameters(index = "1", paramLabel = "<user>", description = "User id or email")
        String user;

        @Option(names = "--head", description = "Hand the room over: the user becomes its head")
        boolean head;

        Promote(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            printRoom(admin.client(env).post(room(room) + "/promote",
                    Map.of("user", user, "role", head ? "head" : "moderator")), "updated room");
            return Main.OK;
        }
    }
}
