package io.kezdesu.common.store;

import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H2Backend commits its MVStore on a one-second timer, so a write the driver saw acknowledged could vanish if the
 * process were killed within that second. This backend commits and syncs the file to disk before acknowledging every
 * command that may change data, so an acknowledged write survives a crash of the process and a power cut.
 */
final class DurableH2Backend extends H2Backend {

    private static final Logger LOG = LoggerFactory.getLogger(DurableH2Backend.class);

    /** Commands that never change data; everything else is committed before it is answered. */
    private static final Set<String> READS = Set.of("find", "getmore", "count", "distinct", "listcollections",
            "listindexes", "listdatabases", "ping", "hello", "ismaster", "buildinfo", "getlasterror",
            "serverstatus", "dbstats", "collstats", "getparameter", "endsessions", "killcursors", "whatsmyuri",
            "getlog", "getcmdlineopts", "hostinfo", "connectionstatus");

    /** This process's user: only its own connections are served. Empty where the system cannot say. */
    private final OptionalInt ownUid = LocalPeers.ownUid();
    /** Each connection's verdict, decided on its first request. */
    private final Map<Channel, Boolean> allowed = new ConcurrentHashMap<>();

    DurableH2Backend(String file) {
        super(file);
        if (ownUid.isEmpty()) {
            LOG.warn("cannot tell which local user connects to the embedded store on this system; any local process "
                    + "may use it (run kezdesu on a machine of its own, or use mongo-uri with authentication)");
        }
    }

    /**
     * The embedded store has no authentication (mongo-java-server speaks no SCRAM), so it serves only connections
     * from processes of its own user, which could read its file anyway. Another local user's connection is closed
     * on its first request, unanswered.
     */
    private boolean refuse(Channel channel) {
        if (ownUid.isEmpty()) {
            return false;
        }
        boolean ok = allowed.computeIfAbsent(channel, ch -> {
            OptionalInt peer = LocalPeers.uidOf(((InetSocketAddress) ch.remoteAddress()).getPort(),
                    ((InetSocketAddress) ch.localAddress()).getPort());
            boolean own = peer.isPresent() && peer.getAsInt() == ownUid.getAsInt();
            if (!own) {
                LOG.warn("embedded store: refused a connection from {} (user {}), not this process's user",
                        ch.remoteAddress(), peer.isPresent() ? String.valueOf(peer.getAsInt()) : "unknown");
            }
            return own;
        });
        if (!ok) {
            channel.close();
        }
        return !ok;
    }

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
        if (refuse(channel)) {
            return new Document("ok", 0).append("errmsg", "not allowed").append("code", 13);
        }
        return super.handleCommand(channel, database, command, query);
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        if (refuse(query.getChannel())) {
            return new QueryResult();
        }
        return super.handleQuery(query);
    }

    @Override
    public void handleClose(Channel channel) {
        allowed.remove(channel);
        super.handleClose(channel);
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        // OP_MSG is how current drivers send every command; its first key names the command.
        Document result = super.handleMessage(message);
        Document command = message.getDocument();
        String name = command.isEmpty() ? "" : command.keySet().iterator().next();
        if (!READS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            commit();
            getMvStore().sync();
        }
        return result;
    }
}
