package io.kezdesu.common.store;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.kezdesu.common.data.Secrets;
import java.time.Duration;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * The secrets a cluster shares, in the store's {@code secrets} collection ({@code {_id: name, value}}): the first
 * offer under a name is inserted, every later one reads it back. A race between two first starts is settled by the
 * unique {@code _id}: the loser reads the winner's value. Used once at start, so it blocks.
 */
public final class StoredSecrets implements Secrets.Shared {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MongoCollection<Document> secrets;

    public StoredSecrets(Store store) {
        this.secrets = store.database().getCollection("secrets");
    }

    @Override
    public String agree(String name, String offer) {
        Document stored = Mono.from(secrets.find(Filters.eq("_id", name)).first())
                .switchIfEmpty(Mono.from(secrets.insertOne(new Document("_id", name).append("value", offer)))
                        .thenReturn(new Document("value", offer))
                        .onErrorResume(StoreErrors::duplicateKey,
                                e -> Mono.from(secrets.find(Filters.eq("_id", name)).first())))
                .block(TIMEOUT);
        String value = stored == null ? null : stored.getString("value");
        if (value == null || value.isBlank()) {
            throw new StoreException("the store's " + name + " is missing or empty (collection secrets)", null);
        }
        return value;
    }
}
