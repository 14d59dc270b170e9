package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.Main;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kezdesu relay drain ID}: asks a relay of the fleet to drain, through any signaling node's admin API. The
 * relay picks it up with its next heartbeat, sends new allocations to another relay (300 Try Alternate), serves its
 * existing ones until they end or the limit passes, then exits; signaling stops handing it out at once.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Drain a relay of the fleet (ids: kezdesu relay list): new allocations go to other relays, existing "
                + "ones are served until they end or --timeout passes, then the relay exits.")
public final class RelayDrainCommand extends UserCommand.Base {

    @Parameters(index = "0", paramLabel = "<relay-id>", description = "The relay's id, as kezdesu relay list shows it")
    String id;

    @Option(names = "--timeout", paramLabel = "<duration>", description = "Longest the drain may take, e.g. 10m "
            + "(default: the relay's drain-timeout, or 1h when that is 0)")
    String timeout;

    public RelayDrainCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    public Integer call() {
        String path = "/admin/relays/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/drain"
                + (timeout == null ? "" : "?timeout=" + URLEncoder.encode(timeout, StandardCharsets.UTF_8));
        JsonNode r = admin.client(env).post(path, Map.of());
        if (admin.json) {
            out().println(r.toString());
        } else {
            out().println("relay " + r.path("id").asText() + ": drain requested; it stops taking new allocations "
                    + "within a third of node-timeout and exits when its last allocation ends"
                    + (r.has("timeoutSeconds") ? " or after " + r.path("timeoutSeconds").asLong() + " s" : ""));
        }
        out().flush();
        return Main.OK;
    }
}
