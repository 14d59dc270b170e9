package io.kezdesu.common.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import java.util.Set;

/**
 * H2Backend commits its MVStore on a one-second timer, so a write the driver saw acknowledged could vanish if the
 * process were killed within that second. This backend commits and syncs the file to disk before acknowledging every
 * command that may change data, so an acknowledged write survives a crash of the process and a power cut.
 */
final class DurableH2Backend extends H2Backend {

    /** Commands that never change data; everything else is committed before it is answered. */
    private static final Set<String> READS = Set.of("find", "getmore", "count", "distinct", "listcollections",
            "listindexes", "listdatabases", "ping", "hello", "ismaster", "buildinfo", "getlasterror",
            "serverstatus", "dbstats", "collstats", "getparameter", "endsessions", "killcursors", "whatsmyuri",
            "getlog", "getcmdlineopts", "hostinfo", "connectionstatus");

    DurableH2Backend(String file) {
        super(file);
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
