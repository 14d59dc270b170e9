package io.kezdesu.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class StoreErrorsTest {

    @Test
    void anOutageIsUnreachableARefusalIsNot() {
        assertTrue(StoreErrors.unreachable(new MongoTimeoutException("no server")));
        assertTrue(StoreErrors.unreachable(new TimeoutException()));
        assertFalse(StoreErrors.unreachable(new MongoException(11000, "duplicate key")));
        assertFalse(StoreErrors.unreachable(new IllegalStateException("state should be: open")));
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
