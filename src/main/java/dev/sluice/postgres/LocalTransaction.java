package dev.sluice.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * One short transaction on a pooled connection with a wait bound of its own ({@code SET LOCAL}, so
 * the setting ends with the transaction and never leaks into the pool): committed when the work
 * returns, rolled back when it throws.
 */
final class LocalTransaction {

    /** The work inside the transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private LocalTransaction() {
    }

    /** Runs {@code work} in a new transaction with {@code setting} (e.g. {@code lock_timeout}) at {@code millis}. */
    static <T> T run(DataSource dataSource, String setting, long millis, Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                bound(connection, setting, millis);
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** {@code SET LOCAL <setting> = <millis>} in the connection's open transaction. */
    static void bound(Connection connection, String setting, long millis) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL " + setting + " = " + millis);
        }
    }
}
