package dev.sluice.postgres;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * The one place that decides whether a database error is transient (retry the batch, never
 * dead-letter) or permanent (isolate the record and dead-letter it), by SQLState.
 *
 * <p>Only data exceptions (class 22) and integrity violations (class 23) are permanent: they are
 * about the record. Everything else, including syntax or missing-table errors (a bug or a schema
 * not yet migrated), is treated as transient, so a fault of ours stalls the pipeline visibly
 * instead of dead-lettering good data.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    /** A short cause name for a transient error (for metrics and logs), or null if it is permanent. */
    public static String transientCause(SQLException error) {
        String state = sqlState(error);
        if (state == null) {
            return "connection";
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            return null;
        }
        return switch (state) {
            case "40001" -> "serialization";
            case "40P01" -> "deadlock";
            case "55P03" -> "lock-timeout";
            case "57014" -> "cancelled";
            default -> {
                if (state.startsWith("08")) {
                    yield "connection";
                }
                if (state.startsWith("53")) {
                    yield "resources";
                }
                if (state.startsWith("57P")) {
                    yield "shutdown";
                }
                if (state.startsWith("58") || state.startsWith("XX")) {
                    yield "server";
                }
                yield "unexpected-" + state;
            }
        };
    }

    public static boolean isTransient(SQLException error) {
        return transientCause(error) != null;
    }

    private static String sqlState(SQLException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return "08000";
            }
        }
        return null;
    }
}
