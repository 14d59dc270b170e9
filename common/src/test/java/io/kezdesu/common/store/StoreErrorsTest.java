package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import java.util.concurrent.TimeoutException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class StoreErrorsTest {

    @Test
    void anOutageIsUnreachableARefusalIsNot() {
        assertTrue(StoreErrors.unreachable(new MongoTimeoutException("no server")));
        assertTrue(StoreErrors.unreachable(new TimeoutException()));
        assertFalse(StoreErrors.unreachable(new MongoException(11000, "duplicate key")));
        assertFalse(StoreErrors.unreachable(new IllegalStateException("state should be: open")));
    }

    /** Each failure /readyz reports is named in words, the driver's own (long) description left out. */
    @Test
    void failuresAreDescribedInWords() {
        ServerAddress at = new ServerAddress("db.example.org", 27017);
        assertEquals("cannot connect to db.example.org:27017: Connection refused", StoreErrors.describe(
                new MongoSocketOpenException("Exception opening socket", at,
                        new java.net.ConnectException("Connection refused"))));
        assertEquals("authentication failed (check the user and password in mongo-uri)", StoreErrors.describe(
                new MongoSecurityException(MongoCredential.createScramSha256Credential("kezdesu", "admin",
                        "secret".toCharArray()), "Exception authenticating")));
        assertEquals("the server refused: Unauthorized", StoreErrors.describe(new MongoCommandException(
                BsonDocument.parse("{ok: 0, code: 13, codeName: 'Unauthorized', errmsg: 'not authorized'}"), at)));
        assertEquals("the connection to the server was lost", StoreErrors.describe(
                new MongoSocketReadException("Prematurely reached end of stream", at)));
        assertEquals("no server could be reached in time", StoreErrors.describe(new MongoTimeoutException(
                "Timed out while waiting for a server that matches ReadPreferenceServerSelector{...}")));
        // The driver's own words for a refused connection (4.x/5.x), of which only the cause is kept.
        assertEquals("no server could be reached in time (Connection refused)", StoreErrors.describe(
                new MongoTimeoutException("Timed out while waiting for a server that matches "
                        + "ReadPreferenceServerSelector{readPreference=primary}. Client view of cluster state is "
                        + "{type=UNKNOWN, servers=[{address=127.0.0.1:1, type=UNKNOWN, state=CONNECTING, "
                        + "exception={com.mongodb.MongoSocketOpenException: Exception opening socket}, caused by "
                        + "{java.net.ConnectException: Connection refused}}]")));
        assertEquals("IllegalStateException", StoreErrors.describe(new IllegalStateException("state should be: open")));
    }

    @Test
    void retriesBackOffFrom250MsTo4s() {
        assertEquals(250, StoreErrors.retryDelayMillis(1));
        assertEquals(500, StoreErrors.retryDelayMillis(2));
        assertEquals(2_000, StoreErrors.retryDelayMillis(4));
        assertEquals(4_000, StoreErrors.retryDelayMillis(5));
        assertEquals(4_000, StoreErrors.retryDelayMillis(1_000));
    }
}
