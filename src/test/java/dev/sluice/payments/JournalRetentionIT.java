package dev.sluice.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testinfra.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * {@code payment_journal} retention against a real PostgreSQL: the application's pruner (retention
 * 1 h, chunks of 100, its schedule an hour off so each test runs a pass itself) deletes only rows
 * past the retention, a chunk per statement; a pass blocked by a lock gives up after the prune
 * timeout and is counted; a scheduled pruner prunes by itself and its stop cancels a blocked
 * statement at once.
 */
@TestPropertySource(properties = {
    "sluice.payments.journal-retention=1h",
    "sluice.payments.journal-prune-interval=1h",
    "sluice.payments.journal-prune-chunk=100",
    "sluice.payments.journal-prune-timeout=1s"
})
class JournalRetentionIT extends IntegrationTest {

    @Autowired
    private JournalPruner pruner;
    @Autowired
    private MeterRegistry registry;

    private final String topic = prefix("journal");

    @AfterEach
    void removeRows() {
        committed("DELETE FROM sluice.payment_journal WHERE source_topic = ?", topic);
    }

    @Test
    void prunesRowsPastTheRetentionInChunksAndKeepsTheRest() throws Exception {
        insert(1_050, "2 hours");
        insert(20, "70 minutes");
        insert(30, "50 minutes");
        insert(40, "0 seconds");
        double prunedBefore = registry.get("sluice.journal.pruned").counter().count();

        JournalPruner.Pass pass = pruner.prune();

        assertThat(pass.rows()).isEqualTo(1_070);
        assertThat(pass.statements()).as("10 full chunks of 100, one of 70").isEqualTo(11);
        assertThat(registry.get("sluice.journal.pruned").counter().count() - prunedBefore).isEqualTo(1_070);
        assertThat(ages()).containsExactly(0, 50);
        assertThat(pruner.prune()).isEqualTo(new JournalPruner.Pass(0, 1));
        assertThat(getBody("/actuator/prometheus")).contains("sluice_journal_pruned_rows_total", "sluice_journal_prune_failures_total");
    }

    /** On a journal of 200,000 recent rows, analyzed: no chunk reads the table to find its rows. */
    @Test
    void aChunkFindsItsRowsByTheRecordedAtIndexAndDeletesThemByTid() {
        insert(200_000, "1 minute");
        committed("ANALYZE sluice.payment_journal");

        List<String> plan = jdbc.queryForList("EXPLAIN " + JournalPruner.PRUNE.replace("?::bigint", "3600000")
                .replace("LIMIT ?", "LIMIT 100"), String.class);

        assertThat(String.join("\n", plan)).contains("Index Scan using payment_journal_recorded_at", "Tid Scan")
                .doesNotContain("Seq Scan");
    }

    @Test
    void aPassBlockedByALockGivesUpAfterThePruneTimeoutAndIsCounted() throws SQLException {
        insert(10, "2 hours");
        double failuresBefore = registry.get("sluice.journal.prune.failures").counter().count();

        try (Connection holder = dataSource.getConnection(); Statement lock = holder.createStatement()) {
            holder.setAutoCommit(false);
            lock.execute("LOCK TABLE sluice.payment_journal IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            assertThatThrownBy(pruner::prune).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as("statement timeout").isEqualTo("57014"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            holder.rollback();
        }

        assertThat(registry.get("sluice.journal.prune.failures").counter().count() - failuresBefore).isEqualTo(1);
        assertThat(pruner.prune().rows()).isEqualTo(10);
    }

    @Test
    void aScheduledPrunerPrunesByItselfAndItsStopCancelsABlockedStatement() throws SQLException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JournalPruner scheduled = new JournalPruner(dataSource, new PaymentProperties(DataSize.ofKilobytes(16), 16,
                Duration.ofHours(1), Duration.ofSeconds(1), 100, Duration.ofSeconds(30), true), meters);
        insert(250, "2 hours");
        insert(5, "1 minute");
        scheduled.start();
        try {
            await(Duration.ofSeconds(15)).until(() -> ages().equals(List.of(1)));
            assertThat(meters.get("sluice.journal.pruned").counter().count()).isEqualTo(250);

            insert(10, "2 hours");
            try (Connection holder = dataSource.getConnection(); Statement lock = holder.createStatement()) {
                holder.setAutoCommit(false);
                lock.execute("LOCK TABLE sluice.payment_journal IN ACCESS EXCLUSIVE MODE");
                await(Duration.ofSeconds(10)).until(() -> waitingPrunes() == 1);

                long started = System.nanoTime();
                scheduled.stop();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("stop, not the 30 s timeout")
                        .isLessThan(Duration.ofSeconds(3));
                assertThat(scheduled.isRunning()).isFalse();
                assertThat(waitingPrunes()).isZero();
                holder.rollback();
            }
            assertThat(meters.get("sluice.journal.prune.failures").counter().count()).as("a stop is no failure").isZero();
            assertThat(ages()).containsExactly(1, 120);
        } finally {
            scheduled.stop();
        }
    }


    /** {@code count} rows of this test's topic recorded {@code age} ago. */
    private void insert(int count, String age) {
        committed("""
                INSERT INTO sluice.payment_journal (source_topic, source_partition, source_offset, payment_id, outcome, recorded_at)
                SELECT ?, 0, g, ? || g, 'written', now() - ?::interval FROM generate_series(1, ?) g
                """, topic, topic + "-" + age.replace(' ', '-') + "-", age, count);
    }

    /** The distinct ages in minutes of this test's rows still in the journal. */
    private List<Integer> ages() {
        return jdbc.queryForList("""
                SELECT DISTINCT round(extract(epoch FROM now() - recorded_at) / 60)::int AS minutes
                FROM sluice.payment_journal WHERE source_topic = ? ORDER BY minutes
                """, Integer.class, topic);
    }

    /** The pool's connections do not auto-commit: a statement in a transaction of its own. */
    private void committed(String sql, Object... args) {
        new TransactionTemplate(new DataSourceTransactionManager(dataSource)).executeWithoutResult(status -> jdbc.update(sql, args));
    }

    private int waitingPrunes() {
        return jdbc.queryForObject("""
                SELECT count(*) FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM sluice.payment_journal WHERE ctid%'
                """, Integer.class);
    }
}
