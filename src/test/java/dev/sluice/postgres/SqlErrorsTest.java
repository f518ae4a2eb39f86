package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The SQLState table of the README's "Failure handling" section, row by row. */
class SqlErrorsTest {

    private static SQLException state(String sqlState) {
        return new SQLException("test error " + sqlState, sqlState);
    }

    @ParameterizedTest(name = "{0} ({2}) is transient: {1}")
    @CsvSource({
        "08000, connection, connection_exception",
        "08001, connection, unable to connect",
        "08003, connection, connection_does_not_exist",
        "08006, connection, connection_failure",
        "08P01, connection, protocol_violation",
        "40001, serialization, serialization_failure",
        "40P01, deadlock, deadlock_detected",
        "40002, rollback, transaction_integrity_constraint_violation",
        "40003, rollback, statement_completion_unknown",
        "53000, resources, insufficient_resources",
        "53100, resources, disk_full",
        "53200, resources, out_of_memory",
        "53300, resources, too_many_connections",
        "55P03, lock-timeout, lock_not_available",
        "57014, cancelled, query_canceled",
        "57000, shutdown, operator_intervention",
        "57P01, shutdown, admin_shutdown",
        "57P02, shutdown, crash_shutdown",
        "57P03, shutdown, cannot_connect_now",
        "57P04, shutdown, database_dropped",
        "58000, server, system_error",
        "58030, server, io_error",
        "XX000, server, internal_error",
        "XX001, server, data_corrupted",
        "42P01, unexpected-42P01, undefined_table: a schema not migrated is our fault",
        "42601, unexpected-42601, syntax_error: a bug is our fault",
        "42501, unexpected-42501, insufficient_privilege",
        "25P02, unexpected-25P02, in_failed_sql_transaction",
        "0A000, unexpected-0A000, feature_not_supported",
        "54000, unexpected-54000, program_limit_exceeded",
    })
    void classifiesConnectionRollbackResourceAndShutdownErrorsAsTransient(String sqlState, String cause, String meaning) {
        assertThat(SqlErrors.transientCause(state(sqlState))).isEqualTo(cause);
        assertThat(SqlErrors.isTransient(state(sqlState))).isTrue();
    }

    @ParameterizedTest(name = "{0} is permanent")
    @ValueSource(strings = {
        "22000", "22001", "22003", "22007", "22008", "22012", "22021", "22P02", "22P05",
        "23000", "23502", "23503", "23505", "23514", "23P01"})
    void classifiesDataExceptionsAndIntegrityViolationsAsPermanent(String sqlState) {
        assertThat(SqlErrors.transientCause(state(sqlState))).isNull();
        assertThat(SqlErrors.isTransient(state(sqlState))).isFalse();
    }

    @Test
    void treatsAnErrorWithoutStateAsAConnectionProblem() {
        assertThat(SqlErrors.transientCause(new SQLException("socket closed"))).isEqualTo("connection");
        assertThat(SqlErrors.transientCause(new SQLTransientConnectionException("pool timed out"))).isEqualTo("connection");
        assertThat(SqlErrors.transientCause(new SQLRecoverableException("broken"))).isEqualTo("connection");
        assertThat(SqlErrors.transientCause(new SQLNonTransientConnectionException("closed"))).isEqualTo("connection");
    }

    @Test
    void findsTheStateOnTheCauseChain() {
        SQLException wrapped = new SQLException("outer", null, state("23505"));
        assertThat(SqlErrors.isTransient(wrapped)).isFalse();
        SQLException pool = new SQLTransientConnectionException("pool: connection not available", null, state("57P03"));
        assertThat(SqlErrors.transientCause(pool)).isEqualTo("shutdown");
    }

    @Test
    void aStatelessTransientWrapperStaysTransientWhateverItWraps() {
        SQLException pool = new SQLTransientConnectionException("pool: connection not available", null, state("23505"));
        assertThat(SqlErrors.transientCause(pool)).isEqualTo("connection");
    }

    @Test
    void theOutermostStateWins() {
        SQLException outer = new SQLException("connection lost while reporting", "08006", state("23505"));
        assertThat(SqlErrors.transientCause(outer)).isEqualTo("connection");
    }

    @Test
    void readsTheStateOfAChainedNextException() {
        BatchUpdateException batch = new BatchUpdateException("batch failed", (String) null, 0, new int[0], null);
        batch.setNextException(state("23514"));
        assertThat(SqlErrors.isTransient(batch)).isFalse();
    }

    @Test
    void ignoresAMalformedState() {
        assertThat(SqlErrors.transientCause(state(""))).isEqualTo("connection");
        assertThat(SqlErrors.transientCause(state("22"))).isEqualTo("connection");
    }
}
