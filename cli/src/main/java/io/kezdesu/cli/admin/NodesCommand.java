package io.kezdesu.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.cli.Main;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code kezdesu nodes}: the signaling nodes that share the daemon's store, and the rooms each serves. */
@Command(name = "nodes", mixinStandardHelpOptions = true,
        description = "List the signaling nodes on the daemon's store (docs/CLUSTER.md): address, start, last "
                + "heartbeat, state (this, alive, dead), how many rooms each serves and the cluster protocol it speaks "
                + "(all live nodes must speak the same).")
public final class NodesCommand extends UserCommand.Base {

    public NodesCommand(Map<String, String> env) {
        super(env);
    }

    @Override
    public Integer call() {
        JsonNode nodes = admin.client(env).get("/admin/nodes").path("nodes");
        if (admin.json) {
            out().println(nodes.toString());
        } else {
            out().printf("%-14s %-28s %-26s %-26s %-6s %-6s %s%n", "ID", "ADDRESS", "STARTED", "HEARTBEAT", "STATE",
                    "ROOMS", "PROTOCOL");
            for (JsonNode n : nodes) {
                out().printf("%-14s %-28s %-26s %-26s %-6s %-6d %d%n", n.path("id").asText(),
                        n.path("address").asText(), n.path("startedAt").asText(), n.path("heartbeatAt").asText(),
                        n.path("state").asText(), n.path("rooms").asLong(), n.path("protocol").asInt(1));
            }
        }
        out().flush();
        return Main.OK;
    }
}
