package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's error handling against a real PostgreSQL, without Spring: bisection isolates exactly
 * the refused rows and writes the rest, outcomes stay in batch order, and errors that are not the
 * record's fault (the server ends the session, a bug in the writer) fail the whole batch as
 * transient.
 */
class TransactionalBatchSinkIT {

    private final DataSource dataSource = EmbeddedInfrastructure.postgres().getPostgresDatabase();
    private final String table = "sink_probe_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    /** Transactions the writer was called in; counted by the sink threads of this test (one). */
    private final AtomicInteger transactions = new AtomicInteger();

    @BeforeEach
    void createTable() throws SQLException {
        execute("CREATE TABLE " + table + " (v int PRIMARY KEY CHECK (v >= 0))");
    }

    @AfterEach
    void dropTable() throws SQLException {
        execute("DROP TABLE IF EXISTS " + table);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Inserts each value; a negative one breaks the CHECK (SQLState 23514). */
    private TransactionalBatchSink<Integer> sink() {
        return new TransactionalBatchSink<>(dataSource, (connection, batch) -> {
            transactions.incrementAndGet();
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (v) VALUES (?)")) {
                for (SinkItem<Integer> item : batch) {
                    insert.setInt(1, item.value());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return batch.stream().map(item -> SinkOutcome.WRITTEN).toList();
        });
    }

    private static List<SinkItem<Integer>> items(List<Integer> values) {
        List<SinkItem<Integer>> items = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            RecordRef ref = new RecordRef(new PartitionId("probe", 0), 1, i, 1);
            items.add(new SinkItem<>(new InboundRecord(ref, null, new byte[] {1}, 0), values.get(i)));
        }
        return items;
    }

    private Set<Integer> stored() throws SQLException {
        Set<Integer> values = new TreeSet<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT v FROM " + table)) {
            while (rows.next()) {
                values.add(rows.getInt(1));
            }
        }
        return values;
    }

    @Test
    void bisectsABatchSoThatOnlyTheRefusedRowsAreRejectedAndEveryOtherRowIsWritten() throws Exception {
        Set<Integer> refusedAt = Set.of(0, 17, 18, 500, 999);
        List<Integer> values = IntStream.range(0, 1000).map(i -> refusedAt.contains(i) ? -i - 1 : i).boxed().toList();

        List<SinkOutcome> outcomes = sink().write(items(values));

        assertThat(outcomes).hasSize(1000);
        for (int i = 0; i < outcomes.size(); i++) {
            if (refusedAt.contains(i)) {
                assertThat(outcomes.get(i)).as("outcome %d", i).isInstanceOfSatisfying(SinkOutcome.Rejected.class, rejected -> {
                    assertThat(rejected.reason()).isEqualTo(RejectReason.INVALID);
                    assertThat(rejected.detail()).contains("SQLState 23514").contains(table);
                });
            } else {
                assertThat(outcomes.get(i)).as("outcome %d", i).isEqualTo(SinkOutcome.WRITTEN);
            }
        }
        assertThat(stored()).hasSize(995).doesNotContain(-1, -18, -19, -501, -1000);
        // each refused row costs about two transactions per halving, never one per row
        assertThat(transactions.get()).as("transactions for 1000 rows with 5 refused").isLessThan(5 * 2 * 11);
    }

    @Test
    void writesACleanBatchInOneTransaction() throws Exception {
        List<SinkOutcome> outcomes = sink().write(items(IntStream.range(0, 300).boxed().toList()));
        assertThat(outcomes).hasSize(300).containsOnly(SinkOutcome.WRITTEN);
        assertThat(transactions.get()).isEqualTo(1);
        assertThat(stored()).hasSize(300);
    }

    @Test
    void treatsTheServerEndingTheSessionAsTransientAndWritesNothing() {
        TransactionalBatchSink<Integer> sink = new TransactionalBatchSink<>(dataSource, (connection, batch) -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO " + table + " (v) VALUES (1)");
                statement.execute("SELECT pg_terminate_backend(pg_backend_pid())");
            }
            return List.of(SinkOutcome.WRITTEN);
        });
        assertThatThrownBy(() -> sink.write(items(List.of(1))))
                .isInstanceOfSatisfying(TransientSinkException.class,
                        e -> assertThat(e.causeName()).isIn("shutdown", "connection"));
        assertThat(catchingStored()).isEmpty();
    }

    @Test
    void treatsABugInTheWriterAsTransientRatherThanRejectingTheRecords() {
        TransactionalBatchSink<Integer> sink = new TransactionalBatchSink<>(dataSource, (connection, batch) -> {
            throw new IllegalStateException("writer bug");
        });
        assertThatThrownBy(() -> sink.write(items(List.of(1, 2))))
                .isInstanceOfSatisfying(TransientSinkException.class,
                        e -> assertThat(e.causeName()).isEqualTo("unexpected-IllegalStateException"));
    }

    @Test
    void treatsAMissingTableAsTransientBecauseItIsOurFaultNotTheRecords() {
        TransactionalBatchSink<Integer> sink = new TransactionalBatchSink<>(dataSource, (connection, batch) -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO " + table + "_missing (v) VALUES (1)");
            }
            return List.of(SinkOutcome.WRITTEN);
        });
        assertThatThrownBy(() -> sink.write(items(List.of(1))))
                .isInstanceOfSatisfying(TransientSinkException.class,
                        e -> assertThat(e.causeName()).isEqualTo("unexpected-42P01"));
    }

    private Set<Integer> catchingStored() {
        try {
            return stored();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
