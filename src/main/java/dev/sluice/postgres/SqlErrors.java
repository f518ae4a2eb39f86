package dev.sluice.postgres;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * The one place that decides whether a database error is transient (retry the batch, never
 * dead-letter) or permanent (isolate the record and dead-letter it), by SQLState.
 *
 * <p>Only data exceptions (class 22) and integrity violations (class 23) are permanent: they are
 * about the record. Everything else is transient: connection (08), transaction rollback (40:
 * serialization failure, deadlock), insufficient resources (53), operator intervention (57:
 * shutdown, cancel), lock not available (55P03), system and internal errors (58, XX), and also
 * errors that point at us rather than the record (syntax or missing-table errors: a bug, or a
 * schema not yet migrated), so a fault of ours stalls the pipeline visibly instead of
 * dead-lettering good data. An error without any SQLState (the pool timed out, the driver lost
 * the socket) is a connection problem. Stateless.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * A short, low-cardinality cause name for a transient error (the {@code cause} tag of
     * {@code sluice.retries}), or null if the error is permanent.
     */
    public static String transientCause(SQLException error) {
        String state = sqlState(error);
        if (state == null) {
            return "connection";
        }
        if (isPermanentState(state)) {
            return null;
        }
        return switch (state) {
            case "40001" -> "serialization";
            case "40P01" -> "deadlock";
            case "55P03" -> "lock-timeout";
            case "57014" -> "cancelled";
            default -> switch (state.substring(0, 2)) {
                case "08" -> "connection";
                case "40" -> "rollback";
                case "53" -> "resources";
                case "57" -> "shutdown";
                case "58", "XX" -> "server";
                default -> "unexpected-" + state;
            };
        };
    }

    public static boolean isTransient(SQLException error) {
        return transientCause(error) != null;
    }

    /**
     * The first SQLState on the cause chain (or on a chained next exception). A state-less
     * {@link SQLTransientException} or {@link SQLRecoverableException} (a pool timeout, a lost
     * socket) is a connection error, 08000, unless its causes name a transient state.
     */
    private static String sqlState(SQLException error) {
        boolean transientWrapper = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = stateOf(sql);
                if (state == null) {
                    SQLException next = sql.getNextException();
                    state = next == null || next == sql ? null : stateOf(next);
                }
                if (state != null) {
                    return transientWrapper && isPermanentState(state) ? "08000" : state;
                }
            }
            transientWrapper |= t instanceof SQLTransientException || t instanceof SQLRecoverableException;
        }
        return transientWrapper ? "08000" : null;
    }

    private static String stateOf(SQLException sql) {
        String state = sql.getSQLState();
        return state != null && state.length() == 5 ? state : null;
    }

    private static boolean isPermanentState(String state) {
        return state.startsWith("22") || state.startsWith("23");
    }
}
