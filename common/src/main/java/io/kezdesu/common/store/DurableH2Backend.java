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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * H2Backend commits its MVStore on a one-second timer, so a write the driver saw acknowledged could vanish if the
 * process were killed within that second. This backend commits and syncs the file to disk before acknowledging every
 * command that may change data, so an acknowledged write survives a crash of the process and a power cut.
 *
 * <p>Every commit writes a new chunk, and MVStore's defaults kept each replaced chunk for 45 s and compacted only
 * when the store was idle: under steady writes (a soak of 10,000 joins) the file grew by ~17 KB a write, 680 MB for
 * 40,000, and never shrank. Since every commit here is synced, no version on disk needs a replaced chunk; only a
 * command still walking an older version's pages might. So every command pins the version it reads for as long as
 * it runs, and a replaced chunk is reused as soon as no command pins a version that needs it. (Kept for a fixed
 * time instead, as before, the file held a time window of writes and grew with the write rate: a faster disk made
 * a larger file.) There is no background writer (it would write unsynced); and every {@value #MAINTAIN_EVERY}
 * writes a maintenance thread rewrites sparse chunks, then commits and syncs. A file left large (by an older
 * version) is compacted and truncated when opened.
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

    /** MVStore's own default page cache. */
    private static final int DEFAULT_CACHE_MIB = 16;
    /** Writes between maintenance runs. */
    static final int MAINTAIN_EVERY = 1000;
    /** A file at least this large when opened is compacted and truncated first. */
    private static final long SHRINK_ABOVE = 32L << 20;
    /** Bytes of chunks moved to the front of a large file when it is opened, at most. */
    private static final long MOVE_AT_OPEN = 256L << 20;
    /** Live pages rewritten per maintenance run, at most. */
    private static final int REWRITE_BYTES = 16 << 20;

    private final Object commitLock = new Object();
    private final AtomicInteger writesSinceMaintenance = new AtomicInteger();
    private final AtomicBoolean maintenancePending = new AtomicBoolean();
    private final ExecutorService maintenance = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "embedded-store-maintenance");
        t.setDaemon(true);
        return t;
    });

    DurableH2Backend(String file) {
        this(file, DEFAULT_CACHE_MIB);
    }

    /** With a page cache of {@code cacheMiB}: a test makes it small so that reads come from the file. */
    DurableH2Backend(String file, int cacheMiB) {
        super(open(file, cacheMiB));
        if (ownUid.isEmpty()) {
            LOG.warn("cannot tell which local user connects to the embedded store on this system; any local process "
                    + "may use it (run kezdesu on a machine of its own, or use mongo-uri with authentication)");
        }
    }

    private static MVStore open(String file, int cacheMiB) {
        MVStore store = new MVStore.Builder().fileName(file).autoCommitDisabled().cacheSize(cacheMiB).open();
        // A replaced chunk is free once no command pins a version that needs it (pinned); each commit is synced
        // before the next, so no version on disk needs one either.
        store.setRetentionTime(0);
        // Old versions serve only rollbacks, which nothing here does; kept, they pinned every replaced chunk.
        store.setVersionsToKeep(0);
        long size = new java.io.File(file).length();
        if (size >= SHRINK_ABOVE) {
            long started = System.nanoTime();
            compact(store, 5_000, new Object());
            // Then the live chunks move to the front of the file, which is cut after them.
            if (store.getFileStore() instanceof RandomAccessStore chunks) {
                chunks.compactMoveChunks(100, MOVE_AT_OPEN, store);
                store.sync();
            }
            LOG.info("embedded store {} compacted from {} to {} MiB in {} ms", file, size >> 20,
                    new java.io.File(file).length() >> 20, (System.nanoTime() - started) / 1_000_000);
        }
        return store;
    }

    /** Rewrites sparse chunks for at most {@code millis}, each step committed and synced. */
    private static void compact(MVStore store, long millis, Object commitLock) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        boolean more = true;
        while (more && System.nanoTime() < deadline) {
            synchronized (commitLock) {
                more = store.compact(80, REWRITE_BYTES);
                store.commit();
                store.sync();
            }
        }
    }

    /** Runs a command with the store's current version pinned, so no chunk it may read is reused under it. */
    private <T> T pinned(java.util.function.Supplier<T> command) {
        MVStore store = getMvStore();
        MVStore.TxCounter pin = store.registerVersionUsage();
        try {
            return command.get();
        } finally {
            store.deregisterVersionUsage(pin);
        }
    }

    /** Commits and syncs, one commit at a time: a commit never reuses space a version not yet on disk needs. */
    private void durably() {
        synchronized (commitLock) {
            commit();
            getMvStore().sync();
        }
    }

    /** Runs the maintenance compaction now, on the caller's thread (for a test). */
    void compactNow() {
        maintain();
    }

    private void maintain() {
        maintenancePending.set(false);
        try {
            if (!getMvStore().isClosed()) {
                compact(getMvStore(), 200, commitLock);
            }
        } catch (RuntimeException e) {
            // Closed under us at shutdown, or a full disk: the next run (or the next open) tries again.
            LOG.warn("embedded store maintenance failed: {}", e.toString());
        }
    }

    @Override
    protected de.bwaldvogel.mongo.MongoDatabase openOrCreateDatabase(String databaseName) {
        return IdFirstH2Database.open(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public void close() {
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (commitLock) {
            MVStore store = getMvStore();
            if (!store.isClosed()) {
                // MVStore recomputes the oldest version a command still reads only when it gets its store lock: a
                // command that ended while a commit held it leaves the old value, and a close with nothing left to
                // commit then starts from it (H2 asserts against it). Pinning and releasing the current version here,
                // with no command running, recomputes it.
                store.deregisterVersionUsage(store.registerVersionUsage());
            }
            super.close();
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
        return pinned(() -> super.handleCommand(channel, database, command, query));
    }

    @Override
    public QueryResult handleQuery(MongoQuery query) {
        if (refuse(query.getChannel())) {
            return new QueryResult();
        }
        return pinned(() -> super.handleQuery(query));
    }

    @Override
    public void handleClose(Channel channel) {
        allowed.remove(channel);
        super.handleClose(channel);
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        // OP_MSG is how current drivers send every command; its first key names the command.
        Document result = pinned(() -> super.handleMessage(message));
        Document command = message.getDocument();
        String name = command.isEmpty() ? "" : command.keySet().iterator().next();
        if (!READS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            durably();
            if (writesSinceMaintenance.incrementAndGet() >= MAINTAIN_EVERY
                    && maintenancePending.compareAndSet(false, true)) {
                writesSinceMaintenance.set(0);
                try {
                    maintenance.execute(this::maintain);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    maintenancePending.set(false);
                }
            }
        }
        return result;
    }
}
