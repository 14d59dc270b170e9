package io.kezdesu.signaling.account;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.signaling.http.ApiError;
import io.kezdesu.signaling.http.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code users} collection. Every method returns a publisher; none blocks. */
public final class UserRepository {

    private final MongoCollection<Document> users;

    public UserRepository(MongoDatabase db) {
        this.users = db.getCollection("users");
    }

    public Mono<Void> ensureIndexes() {
        return Mono.from(users.createIndex(Indexes.ascending("email"),
                new IndexOptions().unique(true).name("email_unique")))
                .then(Mono.from(users.createIndex(Indexes.ascending(IDP_LINKS), new IndexOptions().name(IDP_LINKS))))
                .then();
    }

    /** The identities at identity providers an account answers to, each as "issuer subject". */
    static final String IDP_LINKS = "idpLinks";
    /** The groups the identity provider last said the account is in. */
    static final String IDP_GROUPS = "idpGroups";

    /** Keeps the groups the provider says the account is in (as of its latest token), when they changed. */
    public Mono<User> groups(User user, List<String> groups) {
        if (user.groups().equals(groups)) {
            return Mono.just(user);
        }
        return Mono.from(users.findOneAndUpdate(new Document("_id", user.id()), Updates.set(IDP_GROUPS, groups),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(User::fromDocument);
    }

    /** The account an identity provider's user is linked to. */
    public Mono<User> findByIdp(String issuer, String subject) {
        return Mono.from(users.find(new Document(IDP_LINKS, issuer + " " + subject)).first()).map(User::fromDocument);
    }

    /** A new account for a provider's user, linked to it; 409 email-taken as for {@link #insert}. */
    public Mono<User> insertLinked(User user, String issuer, String subject) {
        Document d = user.toDocument().append(IDP_LINKS, List.of(issuer + " " + subject));
        return Mono.from(users.insertOne(d)).thenReturn(user)
                .onErrorMap(MongoWriteException.class, e -> e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY
                        ? new ApiException(ApiError.EMAIL_TAKEN, "an account with this email already exists") : e);
    }

    /** Links an existing account to a provider's user. */
    public Mono<User> link(String id, String issuer, String subject) {
        return Mono.from(users.findOneAndUpdate(new Document("_id", id),
                Updates.addToSet(IDP_LINKS, issuer + " " + subject),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(User::fromDocument);
    }

    /** Inserts a new account; 409 {@code email-taken} when the unique email index refuses it. */
    public Mono<User> insert(User user) {
        return Mono.from(users.insertOne(user.toDocument()))
                .thenReturn(user)
                .onErrorMap(MongoWriteException.class, e -> e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY
                        ? new ApiException(ApiError.EMAIL_TAKEN, "an account with this email already exists") : e);
    }

    public Mono<User> findById(String id) {
        return Mono.from(users.find(new Document("_id", id)).first()).map(User::fromDocument);
    }

    public Mono<User> findByEmail(String email) {
        return Mono.from(users.find(new Document("email", email)).first()).map(User::fromDocument);
    }

    public Flux<User> list(int limit) {
        return Flux.from(users.find().sort(Sorts.ascending("createdAt")).limit(limit)).map(User::fromDocument);
    }

    /** Applies a change to one account and returns it as stored afterwards; empty when there is no such account. */
    public Mono<User> update(String id, Change change, Instant now) {
        List<Bson> updates = new ArrayList<>();
        updates.add(Updates.set("updatedAt", Date.from(now)));
        if (change.name() != null) {
            updates.add(Updates.set("name", change.name()));
        }
        if (change.passwordHash() != null) {
            updates.add(Updates.set("passwordHash", change.passwordHash()));
            updates.add(Updates.inc("tokenVersion", 1L));
        }
        if (change.disabled() != null) {
            updates.add(Updates.set("disabled", change.disabled()));
        }
        return Mono.from(users.findOneAndUpdate(new Document("_id", id), Updates.combine(updates),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))).map(User::fromDocument);
    }

    /** Fields to change; {@code null} leaves a field as it is. A new password hash also revokes older tokens. */
    public record Change(String name, String passwordHash, Boolean disabled) {
    }
}
