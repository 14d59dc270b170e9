package io.kezdesu.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One {@code kezdesu} invocation through {@link Main#run}: exit code, standard output and standard error. */
public record CliRun(int code, String out, String err) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static CliRun run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The same, with {@code --data-dir dir} appended (how admin commands find the daemon). */
    public static CliRun inDataDir(java.nio.file.Path dir, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dir.toString();
        return run(Map.of(), all);
    }

    public JsonNode json() throws Exception {
        return JSON.readTree(out);
    }
}
