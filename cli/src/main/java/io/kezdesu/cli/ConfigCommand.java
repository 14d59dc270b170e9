package io.kezdesu.cli;

import io.kezdesu.cli.support.VersionProvider;
import io.kezdesu.common.config.Config;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kezdesu config check}: validate and print the effective configuration, secrets redacted. */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Inspect the configuration.", subcommands = {CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Validate the configuration (file, environment, flags) and print the effective values; "
                    + "exit status 2 and one line per problem when invalid.")
    static final class Check implements Callable<Integer> {

        private final Map<String, String> env;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Check(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            Config config = ConfigOptions.load(spec.commandLine().getParseResult(), env);
            spec.commandLine().getOut().print(config.render());
            spec.commandLine().getOut().println("# configuration is valid");
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
