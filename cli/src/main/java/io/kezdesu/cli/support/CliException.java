package io.kezdesu.cli.support;

/** A failure the CLI reports in one line, with its exit code. */
public final class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
