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

    /**
     * What went wrong, in words an operator can act on (for {@code /readyz} and logs): never a stack trace, and no
     * more of the driver's message than the cause it names (its cluster description can run to a kilobyte).
     */
    public static String describe(Throwable e) {
        if (e instanceof com.mongodb.MongoSecurityException) {
            return "authentication failed (check the user and password in mongo-uri)";
        }
        if (e instanceof com.mongodb.MongoSocketOpenException open) {
            return "cannot connect to " + open.getServerAddress()
                    + (open.getCause() != null && open.getCause().getMessage() != null
                    ? ": " + open.getCause().getMessage() : "");
        }
        if (e instanceof com.mongodb.MongoSocketReadTimeoutException) {
            return "the server stopped answering";
        }
        if (e instanceof com.mongodb.MongoSocketException) {
            return "the connection to the server was lost";
        }
        if (e instanceof com.mongodb.MongoNotPrimaryException
                || e instanceof com.mongodb.MongoNodeIsRecoveringException) {
            return "no primary to write to (the replica set is choosing one)";
        }
        if (e instanceof com.mongodb.MongoConnectionPoolClearedException) {
            return "the connections were reset after a failure";
        }
        if (e instanceof com.mongodb.MongoTimeoutException) {
            // The driver's message describes the whole cluster; what an operator needs is the last failure in it.
            java.util.regex.Matcher cause = LAST_FAILURE.matcher(String.valueOf(e.getMessage()));
            String last = null;
            while (cause.find()) {
                last = cause.group(2) != null ? cause.group(2) : cause.group(1);
            }
            return "no server could be reached in time"
                    + (last != null ? " (" + last.replaceFirst("^[\\w.$]+(Exception|Error): ", "") + ")" : "");
        }
        if (e instanceof com.mongodb.MongoCommandException c) {
            return "the server refused: " + (c.getErrorCodeName().isEmpty() ? "error " + c.getErrorCode()
                    : c.getErrorCodeName());
        }
        return e.getClass().getSimpleName();
    }

    /** In a server selection timeout's cluster description: a server's exception, and what caused it. */
    private static final java.util.regex.Pattern LAST_FAILURE = java.util.regex.Pattern.compile(
            "exception=\\{([^}]*)\\}(?:, caused by \\{([^}]*)\\})?");

    /** The wait before the retry that follows {@code failures} failed tries in a row (1 or more). */
    public static long retryDelayMillis(int failures) {
        return Math.min(LAST_RETRY_MS, FIRST_RETRY_MS << Math.min(Math.max(failures - 1, 0), 8));
    }
}
