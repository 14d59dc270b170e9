package io.kezdesu.common.store;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The embedded store's database, whose collections find a document by its {@code _id} first whenever a filter names
 * one. mongo-java-server uses its {@code _id} index only for a filter that is exactly {@code {_id: …}}: one with a
 * further condition ({@code {_id: …, node: …}}, or an {@code $and} of such) was matched against every document of the
 * collection. The writes that keep a conference's record (on each join and leave) and take a room's lease are such
 * filters, so each join cost a scan of all live conferences, and 18,000 people joining fell minutes behind. The
 * collections' maps are those mongo-java-server's own {@code H2Database} opens: the file is the same.
 */
final class IdFirstH2Database extends H2Database {

    /** The MVStore while the superclass constructor opens collections (before this class's fields are set). */
    private static final ThreadLocal<MVStore> OPENING = new ThreadLocal<>();

    private final MVStore store;

    private IdFirstH2Database(String name, MVStore store, CursorRegistry cursors) {
        super(name, store, cursors);
        this.store = store;
    }

    static IdFirstH2Database open(String name, MVStore store, CursorRegistry cursors) {
        OPENING.set(store);
        try {
            return new IdFirstH2Database(name, store, cursors);
        } finally {
            OPENING.remove();
        }
    }

    @Override
    protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
        MVStore s = store != null ? store : OPENING.get();
        String full = getFullCollectionNamespace(collectionName);
        // The names mongo-java-server 1.47's H2Database gives a collection's data and metadata maps.
        MVMap<Object, Document> data = s.openMap("databases." + full);
        MVMap<String, Object> meta = s.openMap("meta." + full);
        return new IdFirstCollection(this, collectionName, options, data, meta, cursorRegistry);
    }

    /** A collection that looks a filter's {@code _id} up in its index before matching the rest of the filter. */
    static final class IdFirstCollection extends H2Collection {

        IdFirstCollection(MongoDatabase database, String name, CollectionOptions options,
                          MVMap<Object, Document> data, MVMap<String, Object> meta, CursorRegistry cursors) {
            super(database, name, options, data, meta, cursors);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit,
                                             int batchSize, Document fieldSelector) {
            Object id = idOf(query);
            Index<Object> byId = id == null ? null : idIndex();
            if (byId == null) {
                return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
            }
            // Only the document with that _id can match; the whole filter is then matched against it alone.
            Object position = byId.getPosition(new Document("_id", id));
            List<Object> positions = position == null ? Collections.emptyList() : List.of(position);
            return matchDocuments(query, positions, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        private Index<Object> idIndex() {
            List<Index<Object>> indexes = getIndexes();
            synchronized (indexes) { // what mongo-java-server holds while it reads or changes them
                for (Index<Object> index : indexes) {
                    if (index.getKeys().size() == 1 && index.getKeys().get(0).getKey().equals("_id")) {
                        return index;
                    }
                }
            }
            return null;
        }

        /**
         * The value a filter requires {@code _id} to equal, when it requires one besides other conditions: a plain
         * value (not an operator document, a list or null) at the top level or in a top-level {@code $and}. Null
         * otherwise, and for {@code {_id: …}} alone, which mongo-java-server already looks up.
         */
        static Object idOf(Document query) {
            if (query == null || query.size() < 2 && !query.containsKey("$and")) {
                return null;
            }
            Object top = plain(query.get("_id"));
            if (top != null) {
                return top;
            }
            if (query.get("$and") instanceof List<?> clauses) {
                for (Object clause : clauses) {
                    if (clause instanceof Document d && d.size() == 1) {
                        Object v = plain(d.get("_id"));
                        if (v != null) {
                            return v;
                        }
                    }
                }
            }
            return null;
        }

        private static Object plain(Object v) {
            return v == null || v instanceof Document || v instanceof Map<?, ?> || v instanceof List<?>
                    || v instanceof java.util.regex.Pattern || v instanceof BsonRegularExpression ? null : v;
        }
    }
}
