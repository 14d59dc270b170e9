package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.support.CliException;
import io.kezdesu.cli.Main;
import io.kezdesu.cli.support.VersionProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kezdesu report list|show|export}: conference reports from the running daemon. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Conference reports: who took part, when, for how long.",
        subcommands = {CommandLine.HelpCommand.class})
public final class ReportCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine c = new CommandLine(new ReportCommand());
        c.addSubcommand(new CommandLine(new ListReports(env)));
        c.addSubcommand(new CommandLine(new Show(env)));
        c.addSubcommand(new CommandLine(new Export(env)));
        return c;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List conferences, newest first.")
    static final class ListReports extends UserCommand.Base {
        @Option(names = "--room", paramLabel = "<room>", description = "Only this room's conferences")
        String room;

        @Option(names = "--limit", defaultValue = "100", paramLabel = "<n>",
                description = "List at most this many conferences (default: ${DEFAULT-VALUE})")
        int limit;

        ListReports(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            String q = "/admin/reports?limit=" + limit + (room == null ? "" : "&room=" + encode(room));
            JsonNode list = admin.client(env).get(q).path("conferences");
            if (admin.json) {
                out().println(list.toString());
            } else {
                out().printf("%-18s %-20s %-25s %-25s %-6s %-5s %s%n", "ID", "ROOM", "STARTED", "ENDED", "PEOPLE",
                        "PEAK", "MINUTES");
                for (JsonNode c : list) {
                    out().printf("%-18s %-20s %-25s %-25s %-6d %-5d %.1f%n", c.path("id").asText(),
                            c.path("roomName").asText(), c.path("startedAt").asText(),
                            c.path("endedAt").isNull() ? "(in progress)" : c.path("endedAt").asText(),
                            c.path("participantCount").asInt(), c.path("peakParticipants").asInt(),
                            c.path("participantMinutes").asDouble());
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one conference's report.")
    static final class Show extends UserCommand.Base {
        @Parameters(paramLabel = "<conference>")
        String id;

        Show(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            JsonNode r = admin.client(env).get("/admin/reports/" + encode(id));
            if (admin.json) {
                out().println(r.toString());
            } else {
                out().printf("conference:  %s%n", r.path("id").asText());
                out().printf("room:        %s (%s)%n", r.path("roomName").asText(), r.path("roomId").asText());
                out().printf("started:     %s%n", r.path("startedAt").asText());
                out().printf("ended:       %s (%s)%n", r.path("endedAt").asText("-"), r.path("endReason").asText("-"));
                out().printf("peak:        %d%n", r.path("peakParticipants").asInt());
                out().printf("minutes:     %.1f%n", r.path("participantMinutes").asDouble());
                for (JsonNode p : r.path("participants")) {
                    out().printf("  %s (%s): %.0f s%n", p.path("name").asText(), p.path("userId").asText(),
                            p.path("seconds").asDouble());
                    for (JsonNode iv : p.path("intervals")) {
                        out().printf("    %s → %s  %s%n", iv.path("joinedAt").asText(),
                                iv.path("leftAt").isNull() ? "…" : iv.path("leftAt").asText(),
                                iv.path("reason").asText(""));
                    }
                }
            }
            out().flush();
            return Main.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Export a report as JSON or CSV.")
    static final class Export extends UserCommand.Base {
        @Parameters(paramLabel = "<conference>")
        String id;

        @Option(names = "--format", defaultValue = "json", paramLabel = "json|csv",
                description = "Report format (default: ${DEFAULT-VALUE})")
        String format;

        @Option(names = "--output", paramLabel = "<file>", description = "Write to a file instead of standard output")
        Path output;

        Export(Map<String, String> env) {
            super(env);
        }

        @Override
        public Integer call() {
            if (!format.equals("json") && !format.equals("csv")) {
                throw new CliException("--format: " + format + " (expected: json or csv)", Main.USAGE);
            }
            String text = admin.client(env).getText("/admin/reports/" + encode(id) + "?format=" + format);
            if (output != null) {
                try {
                    Files.writeString(output, text, StandardCharsets.UTF_8);
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new CliException("--output: " + output + " (expected: a file in an existing directory; "
                            + output.toAbsolutePath().getParent() + " does not exist)", Main.FAILURE);
                } catch (java.nio.file.AccessDeniedException e) {
                    throw new CliException("--output: " + output + ": permission denied", Main.FAILURE);
                } catch (IOException e) {
                    throw new CliException("--output: " + output + ": " + e.getMessage(), Main.FAILURE);
                }
            } else {
                out().print(text.endsWith("\n") ? text : text + "\n");
                out().flush();
            }
            return Main.OK;
        }
    }
}
