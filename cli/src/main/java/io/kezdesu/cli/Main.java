package io.kezdesu.cli;

import io.kezdesu.cli.support.CliException;
import io.kezdesu.common.config.ConfigException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** Entry point of the {@code kezdesu} command. */
public final class Main {

    /** Exit codes, in one place. */
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        // Netty samples one buffer in 128 for leak tracking by default, each with a stack trace: measurable on the
        // relay's per-packet path. Tests run with it on; an operator can turn it back on with the property.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(), args);
        System.exit(code);
    }

    /** Runs one command; testable: output, errors and environment are parameters. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        KezdesuCommand top = new KezdesuCommand(env);
        CommandLine cli = KezdesuCommand.commandLine(top, args.length > 0 ? args[0] : null);
        cli.setOut(out);
        cli.setErr(err);
        // picocli prints the whole help after a usage error: ~200 lines for the daemons, the error scrolled away.
        cli.setParameterExceptionHandler((e, ignored) -> {
            err.println("kezdesu: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for more information.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException ce) {
                err.println("invalid configuration:");
                ce.problems().forEach(p -> err.println("  " + p));
                return USAGE;
            }
            if (e instanceof CliException ce) {
                err.println("kezdesu: " + ce.getMessage());
                return ce.exitCode();
            }
            err.println("kezdesu: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILURE;
        });
        return cli.execute(args);
    }
}
