package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.support.CliException;
import io.kezdesu.cli.Main;
import io.kezdesu.cli.support.VersionProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kezdesu user add|list|show|disable|enable|reset-password}, through the daemon's admin API. */
@Command(name = "user", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Administer accounts on a running daemon.", subcommands = {CommandLine.HelpCommand.class})
public final class UserCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine c = new CommandLine(new UserCommand());
        c.addSubcommand(new CommandLine(new Add(env)));
        c.addSubcommand(new CommandLine(new ListUsers(env)));
        c.addSubcommand(new CommandLine(new Show(env)));
        c.addSubcommand(new CommandLine(new Disable(env)));
        c.addSubcommand(new CommandLine(new Enable(env)));
        c.addSubcommand(new CommandLine(new ResetPassword(env)));
        return c;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Shared by the subcommands: options, output and the stdin password. */
    public abstract static class Base implements Callable<Integer> {
        final Map<String, String> env;

        @Mixin
        AdminOptions admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Base(Map<String, String> env) {
            this.env = env;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(JsonNode user, String headline) {
            if (admin.json) {
                out().println(user.toString());
            } else {
                if (headline != null) {
                    out().println(headline);
                }
                out().printf("id:        %s%n", user.path("id").asText());
                out().printf("email:     %s%n", user.path("email").asText());
                out().printf("name:      %s%n", user.path("name").asText());
                out().printf("disabled:  %s%n", user.path("disabled").asBoolean());
                out().printf("created:   %s%n", user.path("createdAt").asText());
                if (user.hasNonNull("password")) {
                    out().printf("password:  %s   (generated; shown only now)%n", user.path("password").asText());
                }
            }
            out().flush();
        }

        static String path(String user) {
            return "/admin/users/" + encode(user);
        }

        static String encode(String segment) {
            return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
        }

        static String readPassword() {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                if (line == null || line.isEmpty()) {
                    throw new CliException("--password-stdin: no password on standard input", Main.USAGE);
                }
                return line;
            } catch (IOException e) {
                throw new CliException("--password-stdin: " + e.getMessage(), Main.USAGE);
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create an account. Without "
            + "--password-stdin the server generates a password and it is printed once.")
    static final class Add extends Base {
        @Option(names = "--email", required = true, paramLabel = "<email>", description = "Login email")
        String email;

        @Option(names = "--name", required = true, paramLabel = "<name>", description = "Display name")
        String name;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input")
        boolean passwordStdin;

        Add(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("email", email);
            body.put("name", name);
            if (passwordStdin) {
                body.put("password", readPassword());
            }
            print(admin.client(env).post("/admin/users", body), "created user");
            return Main.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List accounts.")
    static final class ListUsers extends Base {
        @Option(names = "--limit", defaultValue = "1000", paramLabel = "<n>",
                description = "List at most this many accounts (default: ${DEFAULT-VALUE})")
        int limit;

        ListUsers(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            JsonNode users = admin.client(env).get("/admin/users?limit=" + limit).path("users");
            if (admin.json) {
                out().println(users.toString());
            } else {
                out().printf("%-18s %-32s %-24s %s%n", "ID", "EMAIL", "NAME", "STATUS");
                for (JsonNode u : users) {
                    out().printf("%-18s %-32s %-24s %s%n", u.path("id").asText(), u.path("email").asText(),
                            u.path("name").asText(), u.path("disabled").asBoolean() ? "disabled" : "active");
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one account.")
    static final class Show extends Base {
        @Parameters(paramLabel = "<user>", description = "User id or email")
        String user;

        Show(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            print(admin.client(env).get(path(user)), null);
            return Main.OK;
        }
    }

    abstract static class SetDisabled extends Base {
        private final boolean disabled;

        @Parameters(paramLabel = "<user>", description = "User id or email")
        String user;

        SetDisabled(Map<String, String> env, boolean disabled) {
            super(env);
            this.disabled = disabled;
        }

        @Override
        public Integer call() {
            print(admin.client(env).post(path(user) + (disabled ? "/disable" : "/enable"), Map.of()),
                    disabled ? "disabled user" : "enabled user");
            return Main.OK;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an account: the user cannot log in and their tokens stop working.")
    static final class Disable extends SetDisabled {
        Disable(Map<String, String> env) {
            super(env, true);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Re-enable a disabled account.")
    static final class Enable extends SetDisabled {
        Enable(Map<String, String> env) {
            super(env, false);
        }
    }

    @Command(name = "reset-password", mixinStandardHelpOptions = true, description = "Set a new password (read "
            + "from stdin with --password-stdin, else generated and printed once); existing tokens stop working.")
    static final class ResetPassword extends Base {
        @Parameters(paramLabel = "<user>", description = "User id or email")
        String user;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input")
        boolean passwordStdin;

        ResetPassword(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            Map<String, Object> body = passwordStdin ? Map.of("password", readPassword()) : Map.of();
            print(admin.client(env).post(path(user) + "/reset-password", body), "password reset");
            return Main.OK;
        }
    }
}
