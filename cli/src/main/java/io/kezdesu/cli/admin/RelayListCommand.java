package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.Main;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code kezdesu relay list}: the relays of the fleet on the daemon's store, as signaling sees them. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the relays of the fleet on the daemon's store (docs/CLUSTER.md): id, where clients reach "
                + "them, region, allocations, state (serving, drain-requested, draining, dead) and whether the node "
                + "asked hands them out now.")
public final class RelayListCommand extends UserCommand.Base {

    public RelayListCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    public Integer call() {
        JsonNode relays = admin.client(env).get("/admin/relays").path("relays");
        if (admin.json) {
            out().println(relays.toString());
        } else {
            out().printf("%-14s %-30s %-12s %-11s %-16s %s%n", "ID", "HOST", "REGION", "ALLOCATIONS", "STATE",
                    "HANDED OUT");
            for (JsonNode r : relays) {
                String where = r.path("host").isNull() ? "(its node's host)" : r.path("host").asText() + ":"
                        + r.path("port").asInt() + (r.path("tlsPort").asInt() == 0 ? "" : " tls "
                        + r.path("tlsPort").asInt());
                out().printf("%-14s %-30s %-12s %-11d %-16s %s%n", r.path("id").asText(), where,
                        r.path("region").isNull() ? "-" : r.path("region").asText(), r.path("allocations").asInt(),
                        r.path("state").asText(), r.path("handedOut").asBoolean() ? "yes" : "no");
            }
        }
        out().flush();
        return Main.OK;
    }
}
