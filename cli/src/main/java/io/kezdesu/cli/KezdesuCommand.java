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
        CommandLine cli = new CommandLine(top);
        cli.addSubcommand("serve", configured(new DaemonCommand.Serve(top.env)));
        cli.addSubcommand("signaling", configured(new DaemonCommand.SignalingOnly(top.env)));
        CommandLine relay = configured(new DaemonCommand.RelayOnly(top.env));
        relay.addSubcommand("list", new CommandLine(new io.kezdesu.cli.admin.RelayListCommand(top.env)));
        relay.addSubcommand("drain", new CommandLine(new io.kezdesu.cli.admin.RelayDrainCommand(top.env)));
        cli.addSubcommand("relay", relay);
        CommandLine config = new CommandLine(new ConfigCommand());
        config.addSubcommand("check", configured(new ConfigCommand.Check(top.env)));
        cli.addSubcommand("config", config);
        cli.addSubcommand("user", UserCommand.commandLine(top.env));
        cli.addSubcommand("room", io.kezdesu.cli.admin.RoomCommand.commandLine(top.env));
        cli.addSubcommand("report", io.kezdesu.cli.admin.ReportCommand.commandLine(top.env));
        cli.addSubcommand("nodes", new CommandLine(new io.kezdesu.cli.admin.NodesCommand(top.env)));
        cli.addSubcommand("probe", new ProbeCommand());
        cli.addSubcommand("store", new StoreCommand());
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
