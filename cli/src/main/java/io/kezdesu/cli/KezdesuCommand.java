package io.kezdesu.cli;

import io.kezdesu.cli.support.VersionProvider;
import io.kezdesu.cli.admin.UserCommand;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kezdesu}: run the daemon(s), check the configuration, administer users, probe a STUN/TURN server. */
@Command(name = "kezdesu", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Self-hosted signaling and STUN/TURN relay for browser video calls.",
        subcommands = {CommandLine.HelpCommand.class})
public final class KezdesuCommand implements Runnable {

    private final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    KezdesuCommand(Map<String, String> env) {
        this.env = env;
    }

    static CommandLine commandLine(KezdesuCommand top) {
        return commandLine(top, null);
    }

    /**
     * The command line, with only the subcommand {@code first} names when it names one. Picocli builds a command's
     * model by reflection, and the daemon commands have an option per configuration key each: the whole tree
     * costs about half a second at start (picocli's classes predate Java 6, so class data sharing cannot keep
     * them), most of it for the commands not run. Help, a typo and no command at all still get the whole tree.
     */
    static CommandLine commandLine(KezdesuCommand top, String first) {
        Map<String, java.util.function.Supplier<CommandLine>> commands = new java.util.LinkedHashMap<>();
        commands.put("serve", () -> configured(new DaemonCommand.Serve(top.env)));
        commands.put("signaling", () -> configured(new DaemonCommand.SignalingOnly(top.env)));
        commands.put("relay", () -> {
            CommandLine relay = configured(new DaemonCommand.RelayOnly(top.env));
            relay.addSubcommand("list", new CommandLine(new io.kezdesu.cli.admin.RelayListCommand(top.env)));
            relay.addSubcommand("drain", new CommandLine(new io.kezdesu.cli.admin.RelayDrainCommand(top.env)));
            return relay;
        });
        commands.put("config", () -> {
            CommandLine config = new CommandLine(new ConfigCommand());
            config.addSubcommand("check", configured(new ConfigCommand.Check(top.env)));
            return config;
        });
        commands.put("user", () -> UserCommand.commandLine(top.env));
        commands.put("room", () -> io.kezdesu.cli.admin.RoomCommand.commandLine(top.env));
        commands.put("report", () -> io.kezdesu.cli.admin.ReportCommand.commandLine(top.env));
        commands.put("nodes", () -> new CommandLine(new io.kezdesu.cli.admin.NodesCommand(top.env)));
        commands.put("probe", () -> new CommandLine(new ProbeCommand()));
        commands.put("store", () -> new CommandLine(new StoreCommand()));
        CommandLine cli = new CommandLine(top);
        if (first != null && commands.containsKey(first)) {
            cli.addSubcommand(first, commands.get(first).get());
        } else {
            commands.forEach((name, command) -> cli.addSubcommand(name, command.get()));
        }
        // Room, conference and user ids are base64url: one in 64 starts with '-'. Such an id must still be read as
        // the id it is, not refused as an unknown option (set last: it reaches the subcommands added above).
        cli.setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    private static CommandLine configured(Object command) {
        CommandLine c = new CommandLine(command);
        ConfigOptions.addTo(c.getCommandSpec());
        return c;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
