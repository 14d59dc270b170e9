package io.kezdesu.benchmarks.openloop;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kezdesu.common.auth.JwtService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Set-up for the {@code /ws} protocol as SignalingLoad does it (whose pieces are private): users and two-seat rooms
 * written straight into the daemon's store (its embedded MongoDB-wire server), and login tokens minted with the
 * daemon's JWT secret, so that no Argon2 hash is paid. User {@code n} sits in room {@code n / 2}.
 */
final class WsSetup {

    private final String run = Long.toHexString(System.nanoTime());
    private final JwtService jwt;

    WsSetup(String jwtSecret) {
        this.jwt = new JwtService(jwtSecret, "kezdesu", Duration.ofHours(2), Clock.systemUTC());
    }

    static String secretFrom(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve("jwt-secret")).strip();
    }

    String userId(int n) {
        return "openloop-" + run + "-" + n;
    }

    String roomId(int r) {
        return "openloop-" + run + "-room-" + r;
    }

    String token(int n) {
        return jwt.issue(userId(n), 0).token();
    }

    /** Writes {@code 2 * rooms} users and {@code rooms} rooms of two seats. */
    void seed(String mongoUri, String database, int rooms) {
        try (MongoClient mongo = MongoClients.create(mongoUri)) {
            MongoDatabase db = mongo.getDatabase(database);
            Date now = new Date();
            List<Document> users = new ArrayList<>();
            List<Document> roomDocs = new ArrayList<>();
            for (int n = 0; n < 2 * rooms; n++) {
                users.add(new Document("_id", userId(n)).append("email", userId(n) + "@bench.invalid")
                        .append("name", "openloop " + n).append("passwordHash", "$none").append("disabled", false)
                        .append("createdAt", now).append("updatedAt", now).append("tokenVersion", 0L));
            }
            for (int r = 0; r < rooms; r++) {
                roomDocs.add(new Document("_id", roomId(r)).append("name", "openloop " + r)
                        .append("headId", userId(2 * r)).append("moderators", List.of()).append("maxParticipants", 2)
                        .append("locked", false).append("passwordHash", null).append("lobby", false)
                        .append("banned", List.of()).append("closed", false).append("createdAt", now)
                        .append("updatedAt", now));
            }
            insert(db, "users", users);
            insert(db, "rooms", roomDocs);
        }
    }

    private static void insert(MongoDatabase db, String collection, List<Document> docs) {
        List<List<Document>> batches = new ArrayList<>();
        for (int i = 0; i < docs.size(); i += 1000) {
            batches.add(docs.subList(i, Math.min(docs.size(), i + 1000)));
        }
        Flux.fromIterable(batches)
                .concatMap(batch -> Mono.from(db.getCollection(collection).insertMany(batch)))
                .blockLast(Duration.ofSeconds(60));
    }
}
