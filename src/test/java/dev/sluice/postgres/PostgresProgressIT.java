package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.ProgressStore.Claim;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import io.micrometer.observation.ObservationRegistry;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The exactly-once progress against a real PostgreSQL, without Kafka: claims raise the owner epoch
 * and return what is durable, a transaction of a fenced owner rolls back and writes nothing, a
 * claim waits for a transaction that already passed the fence, a retry after a lost commit
 * acknowledgement does not apply a record twice, and compaction keeps the state small and exact.
 */
class PostgresProgressIT {

    private static final DataSource DATA_SOURCE = EmbeddedInfrastructure.postgres().getPostgresDatabase();
    private final JdbcTemplate jdbc = new JdbcTemplate(DATA_SOURCE);
    private final String group = "pp-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final String topic = group + "-topic";
    private final String table = group.replace('-', '_') + "_effects";
    private final PostgresProgress progress = new PostgresProgress(DATA_SOURCE, group, "test", Duration.ofSeconds(5), Duration.ofMillis(100));

    @BeforeAll
    static void migrate() {
        Flyway.configure().dataSource(DATA_SOURCE).locations("classpath:db/migration").load().migrate();
    }

    @BeforeEach
    void createTable() {
        jdbc.execute("CREATE TABLE " + table + " (partition int, source_offset bigint)");
    }

    /** A job whose effect is not idempotent: one row appended per record. */
    private TransactionalBatchSink<Long> sink(DataSource dataSource) {
        return new TransactionalBatchSink<>(dataSource, (connection, batch) -> {
            try (Statement insert = connection.createStatement()) {
                for (SinkItem<Long> item : batch) {
                    insert.addBatch("INSERT INTO " + table + " VALUES (" + item.record().ref().partition().partition() + ", "
                            + item.value() + ")");
                }
                insert.executeBatch();
            }
            return batch.stream().map(item -> SinkOutcome.WRITTEN).toList();
        }, progress, ObservationRegistry.NOOP);
    }

    private List<SinkItem<Long>> items(int partition, long epoch, long from, long to) {
        List<SinkItem<Long>> items = new ArrayList<>();
        for (long offset = from; offset <= to; offset++) {
            RecordRef ref = new RecordRef(new PartitionId(topic, partition), epoch, offset, 10);
            items.add(new SinkItem<>(new InboundRecord(ref, null, new byte[] {1}, 0), offset));
        }
        return items;
    }

    private Claim claim(int partition, long position) throws TransientSinkException {
        return progress.claim(Map.of(new PartitionId(topic, partition), position)).get(new PartitionId(topic, partition));
    }

    private long effects(int partition) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE partition = ?", Long.class, partition);
    }

    @Test
    void eachClaimRaisesTheEpochAndFindsWhatIsDurableAboveThePosition() throws Exception {
        Claim first = claim(0, 0);
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.applied().appliedAbove()).isZero();

        // durable out of order: 0..4 and 8..9, not 5..7 (still in work when the member died)
        assertThat(sink(DATA_SOURCE).write(items(0, 1, 0, 4))).containsOnly(SinkOutcome.WRITTEN);
        assertThat(sink(DATA_SOURCE).write(items(0, 1, 8, 9))).containsOnly(SinkOutcome.WRITTEN);

        Claim second = claim(0, 0);
        assertThat(second.epoch()).isEqualTo(2);
        assertThat(second.applied().resumeFrom(0)).as("seek past the durable prefix").isEqualTo(5);
        assertThat(List.of(5L, 6L, 7L, 8L, 9L, 10L).stream().filter(second.applied()::contains))
                .as("skipped above the gap").containsExactly(8L, 9L);

        Claim fromCommitted = claim(0, 9);
        assertThat(fromCommitted.applied().appliedAbove()).as("only what is at or above the group's committed offset is read")
                .isEqualTo(1);
    }

    @Test
    void aFencedOwnersTransactionRollsBackAndTheRestOfItsBatchIsWritten() throws Exception {
        long zombieEpoch = claim(1, 0).epoch();
        claim(2, 0);
        long newOwnerEpoch = claim(1, 0).epoch();
        assertThat(newOwnerEpoch).isGreaterThan(zombieEpoch);

        List<SinkItem<Long>> batch = new ArrayList<>(items(1, zombieEpoch, 0, 2));
        batch.addAll(items(2, 1, 0, 2));
        List<SinkOutcome> outcomes = sink(DATA_SOURCE).write(batch);

        assertThat(outcomes.subList(0, 3)).as("records of the partition claimed since").containsOnly(SinkOutcome.FENCED);
        assertThat(outcomes.subList(3, 6)).as("records of a partition still ours").containsOnly(SinkOutcome.WRITTEN);
        assertThat(effects(1)).as("effects of the fenced records").isZero();
        assertThat(effects(2)).isEqualTo(3);
        assertThat(claim(1, 0).applied().appliedAbove()).as("nothing recorded for the fenced records").isZero();
    }

    @Test
    void aRejectedRecordIsNeitherRecordedNorFencedWhileItsPartitionIsOurs() throws Exception {
        long epoch6 = claim(6, 0).epoch();
        long epoch7 = claim(7, 0).epoch();
        List<SinkItem<Long>> batch = new ArrayList<>(items(6, epoch6, 0, 2));
        batch.addAll(items(7, epoch7, 0, 0));
        TransactionalBatchSink<Long> rejectingPartition7 = new TransactionalBatchSink<>(DATA_SOURCE, (connection, items) ->
                items.stream().map(item -> item.record().ref().partition().partition() == 7
                        ? (SinkOutcome) new SinkOutcome.Rejected(RejectReason.CONFLICT, "test", null)
                        : SinkOutcome.WRITTEN).toList(), progress, ObservationRegistry.NOOP);

        List<SinkOutcome> outcomes = rejectingPartition7.write(batch);

        assertThat(outcomes.subList(0, 3)).containsOnly(SinkOutcome.WRITTEN);
        assertThat(outcomes.get(3)).as("a rejection of a partition without applied records in the batch").isInstanceOf(SinkOutcome.Rejected.class);
        assertThat(claim(7, 0).applied().appliedAbove()).as("a rejected record is not recorded as applied").isZero();
        assertThat(claim(6, 0).applied().resumeFrom(0)).isEqualTo(3);
    }

    @Test
    void aClaimWaitsForATransactionThatPassedTheFenceAndThenSeesIt() throws Exception {
        long epoch = claim(3, 0).epoch();
        List<SinkItem<Long>> batch = items(3, epoch, 0, 4);
        try (Connection open = DATA_SOURCE.getConnection()) {
            open.setAutoCommit(false);
            assertThat(progress.record(open, batch, batch.stream().map(item -> SinkOutcome.WRITTEN).toList()))
                    .as("not fenced").isNull();
            CompletableFuture<Claim> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return claim(3, 0);
                } catch (TransientSinkException e) {
                    throw new IllegalStateException(e);
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO sluice_owner%'",
                    Long.class) > 0);
            assertThat(next).as("the claim waits on the transaction's share lock").isNotDone();
            open.commit();
            Claim claim = next.get();
            assertThat(claim.epoch()).isEqualTo(epoch + 1);
            assertThat(claim.applied().resumeFrom(0)).as("the committed transaction is seen by the claim").isEqualTo(5);
        }
    }

    @Test
    void aRetryAfterALostCommitAcknowledgementAppliesNothingTwice() throws Exception {
        long epoch = claim(4, 0).epoch();
        AtomicBoolean loseNextCommitAck = new AtomicBoolean(true);
        TransactionalBatchSink<Long> sink = sink(committingThenFailing(loseNextCommitAck));
        List<SinkItem<Long>> batch = items(4, epoch, 0, 9);

        Exception lost = null;
        try {
            sink.write(batch);
        } catch (TransientSinkException e) {
            lost = e;
        }
        assertThat(lost).as("the commit's acknowledgement was lost: the stage must retry").isNotNull();
        assertThat(effects(4)).as("the transaction did commit").isEqualTo(10);

        List<SinkOutcome> retried = sink.write(batch);
        assertThat(retried).as("the retry finds every record durable").containsOnly(SinkOutcome.DUPLICATE);
        assertThat(effects(4)).as("effects after the retry").isEqualTo(10);
    }

    @Test
    void compactionFoldsWhatTheGroupCommittedIntoOneBaseRow() throws Exception {
        long epoch = claim(5, 0).epoch();
        for (long from = 0; from < 50; from += 10) {
            sink(DATA_SOURCE).write(items(5, epoch, from, from + 9));
        }
        progress.committed(Map.of(new PartitionId(topic, 5), 30L));
        progress.compact();

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT first_offset, last_offset, offsets IS NULL AS base FROM sluice_progress"
                + " WHERE consumer_group = ? AND partition = 5 ORDER BY last_offset", group);
        assertThat(rows).as("one base row below 30, the two transactions above it").hasSize(3);
        assertThat(rows.get(0)).containsEntry("last_offset", 29L).containsEntry("base", true);
        Claim claim = claim(5, 0);
        assertThat(claim.applied().resumeFrom(0)).isEqualTo(50);
        assertThat(claim.applied().contains(12)).as("below the base: durable").isTrue();
    }

    /** A DataSource whose connections commit, then report the commit failed (a lost acknowledgement) while {@code lose} is set. */
    private static DataSource committingThenFailing(AtomicBoolean lose) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        return method.invoke(DATA_SOURCE, args);
                    }
                    Connection real = DATA_SOURCE.getConnection();
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                Object result = m.invoke(real, a);
                                if (m.getName().equals("commit") && lose.getAndSet(false)) {
                                    throw new SQLException("I/O error: connection reset after commit", "08006");
                                }
                                return result;
                            });
                });
    }
}
