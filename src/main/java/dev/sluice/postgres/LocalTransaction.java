package dev.sluice.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * One short transaction on a pooled connection with wait bounds of its own ({@code SET LOCAL}, so
 * the settings end with the transaction and never leak into the pool): committed when the work
 * returns, rolled back when it throws.
 */
final class LocalTransaction {

    /** The work inside the transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * A transaction's wait bounds, in milliseconds: one statement's run, one row lock's wait, and
     * how long the server keeps the session once it goes silent inside the transaction (a lost node).
     */
    record Bounds(long statementMillis, long lockMillis, long idleMillis) {

        /** The sink's bounds from {@code sluice.database.*}. */
        static Bounds of(DatabaseProperties database) {
            return new Bounds(database.statementTimeout().toMillis(), database.lockTimeout().toMillis(),
                    database.idleInTransactionTimeout().toMillis());
        }

        /** These bounds with lock waits of {@code lockTimeout} instead (claims, the durable check). */
        Bounds locking(Duration lockTimeout) {
            return new Bounds(statementMillis, Math.max(1, lockTimeout.toMillis()), idleMillis);
        }
    }

    private static final String BOUND = "SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true),"
            + " set_config('idle_in_transaction_session_timeout', ?, true)";

    private LocalTransaction() {
    }

    /** Runs {@code work} in a new transaction under {@code bounds}. */
    static <T> T run(DataSource dataSource, Bounds bounds, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                bound(connection, bounds);
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    /** Sets {@code bounds} in the connection's open transaction (auto-commit off), in one round trip. */
    static void bound(Connection connection, Bounds bounds) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(BOUND)) {
            statement.setString(1, Long.toString(bounds.statementMillis()));
            statement.setString(2, Long.toString(bounds.lockMillis()));
            statement.setString(3, Long.toString(bounds.idleMillis()));
            statement.executeQuery().close();
        }
    }

    /** Rolls back; an aborted or broken connection has no transaction left, and the caller's error is the one to report. */
    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            // the server ends the transaction with the connection
        }
    }
}
