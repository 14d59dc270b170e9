package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.Main;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code kezdesu nodes}: the signaling nodes that share the daemon's store, and the rooms each serves; then the relays
 * of the fleet on that store.
 */
@Command(name = "nodes", mixinStandardHelpOptions = true,
        description = "List the signaling nodes on the daemon's store (docs/CLUSTER.md): address, start, last "
                + "heartbeat, state (this, alive, dead) and how many rooms each serves; then the relays: where "
                + "clients reach them, region, allocations, state (serving, drain-requested, draining, dead) and "
                + "whether this node hands them out.")
public final class NodesCommand extends UserCommand.Base {

    public NodesCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    public Integer call() {
        AdminClient client = admin.client(env);
        JsonNode nodes = client.get("/admin/nodes").path("nodes");
        JsonNode relays = client.get("/admin/relays").path("relays");
        if (admin.json) {
            com.fasterxml.jackson.databind.node.ObjectNode both =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            both.set("nodes", nodes);
            both.set("relays", relays);
            out().println(both.toString());
        } else {
            out().printf("%-14s %-28s %-26s %-26s %-6s %s%n", "ID", "ADDRESS", "STARTED", "HEARTBEAT", "STATE",
                    "ROOMS");
            for (JsonNode n : nodes) {
                out().printf("%-14s %-28s %-26s %-26s %-6s %d%n", n.path("id").asText(), n.path("address").asText(),
                        n.path("startedAt").asText(), n.path("heartbeatAt").asText(), n.path("state").asText(),
                        n.path("rooms").asLong());
            }
            out().println();
            out().printf("%-14s %-28s %-12s %-11s %-16s %s%n", "RELAY", "HOST", "REGION", "ALLOCATIONS", "STATE",
                    "HANDED OUT");
            for (JsonNode r : relays) {
                String where = r.path("host").isNull() ? "(this node's host)" : r.path("host").asText() + ":"
                        + r.path("port").asInt() + (r.path("tlsPort").asInt() == 0 ? "" : "/" + r.path("tlsPort")
                        .asInt());
                out().printf("%-14s %-28s %-12s %-11d %-16s %s%n", r.path("id").asText(), where,
                        r.path("region").isNull() ? "-" : r.path("region").asText(), r.path("allocations").asInt(),
                        r.path("state").asText(), r.path("handedOut").asBoolean() ? "yes" : "no");
            }
        }
        out().flush();
        return Main.OK;
    }
}
