package io.kezdesu.common.store;

import java.util.concurrent.TimeoutException;

/**
 * What a failed store call means, in one place: whether the store could not be reached (an outage: answer 503, retry
 * a write later) or refused the call (anything else), and how long a write waits before its next try.
 */
public final class StoreErrors {

    /** The first retry of a write waits this long; each later one twice as long as the one before. */
    public static final long FIRST_RETRY_MS = 250;
    /** No retry waits longer than this. */
    public static final long LAST_RETRY_MS = 4_000;

    private StoreErrors() {
    }

    /** Whether {@code e} says the store could not be reached (worth a retry), not that it refused the call. */
    public static boolean unreachable(Throwable e) {
        return e instanceof com.mongodb.MongoTimeoutException || e instanceof com.mongodb.MongoSocketException
                || e instanceof com.mongodb.MongoConnectionPoolClearedException
                || e instanceof com.mongodb.MongoNotPrimaryException
                || e instanceof com.mongodb.MongoNodeIsRecoveringException
                || e instanceof TimeoutException;
    }

    /**
     * Whether {@code e} is the store refusing a second document with the same unique key (E11000): a conditional
     * upsert whose document is held by someone else.
     */
    public static boolean duplicateKey(Throwable e) {
        return (e instanceof com.mongodb.MongoWriteException w && w.getError().getCode() == DUPLICATE_KEY)
                || (e instanceof com.mongodb.MongoCommandException c && c.getErrorCode() == DUPLICATE_KEY);
    }

    private static final int DUPLICATE_KEY = 11000;

    /** The wait before the retry that follows {@code failures} failed tries in a row (1 or more). */
    public static long retryDelayMillis(int failures) {
        return Math.min(LAST_RETRY_MS, FIRST_RETRY_MS << Math.min(Math.max(failures - 1, 0), 8));
    }
}
