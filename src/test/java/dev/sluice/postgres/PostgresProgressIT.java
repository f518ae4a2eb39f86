package dev.sluice.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.ProgressStore.Claim;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import dev.sluice.testinfra.EmbeddedInfrastructure;
import dev.sluice.testinfra.SluiceSchema;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The exactly-once progress against a real PostgreSQL, without Kafka: claims raise the owner epoch
 * and return what is durable, a transaction of a fenced owner rolls back and writes nothing, a
 * claim skips a partition whose owner row a transaction that passed the fence holds (and claims
 * the others), a retry after a lost commit
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
        SluiceSchema.migrate(DATA_SOURCE);
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
    void aClaimSkipsAPartitionWhoseOwnerRowIsHeldClaimsTheOthersAndSeesTheHolderOnceItEnds() throws Exception {
        PartitionId held = new PartitionId(topic, 3);
        PartitionId free = new PartitionId(topic, 11);
        long epoch = claim(3, 0).epoch();
        long freeEpoch = claim(11, 0).epoch();
        List<SinkItem<Long>> batch = items(3, epoch, 0, 4);
        try (Connection open = DATA_SOURCE.getConnection()) {
            open.setAutoCommit(false);
            assertThat(progress.record(open, batch, batch.stream().map(item -> SinkOutcome.WRITTEN).toList()))
                    .as("not fenced").isNull();
            // the transaction passed the fence and holds partition 3's owner row FOR SHARE until it ends
            long started = System.nanoTime();
            Map<PartitionId, Claim> claims = progress.claim(Map.of(held, 0L, free, 0L));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(claims).as("the held partition is left out, the other claimed").containsOnlyKeys(free);
            assertThat(claims.get(free).epoch()).isEqualTo(freeEpoch + 1);
            assertThat(took).as("no wait for the held row (claim timeout 5 s)").isLessThan(Duration.ofSeconds(2));
            open.commit();
        }
        Claim claim = claim(3, 0);
        assertThat(claim.epoch()).as("claimed on the retry, once the holder ended").isEqualTo(epoch + 1);
        assertThat(claim.applied().resumeFrom(0)).as("the committed transaction is seen by the claim").isEqualTo(5);
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
    void aRetryWaitsForACommitStillInFlightBeforeReadingProgress() throws Exception {
        long epoch = claim(8, 0).epoch();
        // A COMMIT that the server has not finished when the client gives up on it: a deferred
        // trigger makes the first attempt's COMMIT wait on an advisory lock this test holds.
        long lock = ThreadLocalRandom.current().nextLong();
        jdbc.execute("CREATE FUNCTION " + table + "_stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF current_setting('sluice_test.stall', true) = 'on' THEN PERFORM pg_advisory_xact_lock_shared(" + lock + "); END IF;"
                + " RETURN NULL; END $$");
        jdbc.execute("CREATE CONSTRAINT TRIGGER stall AFTER INSERT ON " + table
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + table + "_stall()");
        List<SinkItem<Long>> batch = items(8, epoch, 0, 9);
        try (Connection holder = DATA_SOURCE.getConnection()) {
            holder.createStatement().execute("SELECT pg_advisory_lock(" + lock + ")");
            StalledCommit first = new StalledCommit();
            TransactionalBatchSink<Long> sink = sink(first.dataSource());

            assertThatThrownBy(() -> sink.write(batch)).as("the client lost the COMMIT's answer").isInstanceOf(TransientSinkException.class);
            assertThat(effects(8)).as("not visible yet: the COMMIT is still running on the server").isZero();

            CompletableFuture<List<SinkOutcome>> retry = CompletableFuture.supplyAsync(() -> {
                try {
                    return sink.write(batch);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Thread::startVirtualThread);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> retry.isDone() || jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'"
                            + " AND query LIKE '%sluice_owner%'", Long.class) > 0);
            holder.createStatement().execute("SELECT pg_advisory_unlock(" + lock + ")");

            assertThat(retry.get(10, TimeUnit.SECONDS)).as("the retry saw the first attempt's commit").containsOnly(SinkOutcome.DUPLICATE);
            first.committed().get(10, TimeUnit.SECONDS);
            assertThat(effects(8)).as("effects once the first COMMIT finished").isEqualTo(10);
        }
    }

    /**
     * A DataSource whose first connection runs with {@code sluice_test.stall} on and whose commit
     * hands the COMMIT to another thread, waits until the server is inside it, and then reports a
     * lost connection, as a client whose socket died mid-COMMIT would; the server goes on.
     */
    private static final class StalledCommit {
        private final CompletableFuture<Void> committed = new CompletableFuture<>();
        private final AtomicBoolean used = new AtomicBoolean();

        CompletableFuture<Void> committed() {
            return committed;
        }

        DataSource dataSource() {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                    (proxy, method, args) -> {
                        if (!method.getName().equals("getConnection")) {
                            return method.invoke(DATA_SOURCE, args);
                        }
                        Connection real = DATA_SOURCE.getConnection();
                        if (used.getAndSet(true)) {
                            return real;
                        }
                        real.createStatement().execute("SET sluice_test.stall = 'on'");
                        AtomicBoolean lost = new AtomicBoolean();
                        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                                (p, m, a) -> switch (m.getName()) {
                                    case "commit" -> {
                                        int pid = real.unwrap(org.postgresql.PGConnection.class).getBackendPID();
                                        CompletableFuture.runAsync(() -> {
                                            try {
                                                real.commit();
                                                real.close();
                                                committed.complete(null);
                                            } catch (SQLException e) {
                                                committed.completeExceptionally(e);
                                            }
                                        }, Thread::startVirtualThread);
                                        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> new JdbcTemplate(DATA_SOURCE).queryForObject(
                                                "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND wait_event = 'advisory'", Long.class, pid) > 0);
                                        lost.set(true);
                                        throw new SQLException("I/O error: connection reset during COMMIT", "08006");
                                    }
                                    case "rollback", "close", "abort" -> lost.get() ? null : m.invoke(real, a);
                                    case "isClosed" -> lost.get() || (boolean) m.invoke(real, a);
                                    default -> m.invoke(real, a);
                                });
                    });
        }
    }

    @Test
    void aRetryAfterAnErrorThatFollowedACommittedBisectionHalfAppliesNothingTwice() throws Exception {
        long epoch = claim(9, 0).epoch();
        List<SinkItem<Long>> batch = items(9, epoch, 0, 9);
        AtomicBoolean errorOnce = new AtomicBoolean(true);
        // offset 9 is refused by the database (the batch bisects); the second half's first
        // attempt then ends in an Error, after the first half (0..4) committed
        TransactionalBatchSink<Long> sink = new TransactionalBatchSink<>(DATA_SOURCE, (connection, items) -> {
            if (items.size() < batch.size() && items.getFirst().value() >= 5 && errorOnce.getAndSet(false)) {
                throw new AssertionError("a bug in the writer");
            }
            try (Statement insert = connection.createStatement()) {
                for (SinkItem<Long> item : items) {
                    insert.execute(item.value() == 9 ? "SELECT 1/0"
                            : "INSERT INTO " + table + " VALUES (9, " + item.value() + ")");
                }
            }
            return items.stream().map(item -> SinkOutcome.WRITTEN).toList();
        }, progress, ObservationRegistry.NOOP);

        assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(AssertionError.class);
        assertThat(effects(9)).as("the first half committed before the Error").isEqualTo(5);

        List<SinkOutcome> retried = sink.write(batch);
        assertThat(retried.subList(0, 5)).as("found durable").containsOnly(SinkOutcome.DUPLICATE);
        assertThat(retried.subList(5, 9)).containsOnly(SinkOutcome.WRITTEN);
        assertThat(retried.get(9)).isInstanceOf(SinkOutcome.Rejected.class);
        assertThat(effects(9)).as("effects after the retry").isEqualTo(9);
    }

    @Test
    void aWriteThatFailsAfterAnAbortLeavesNoRetryMarkBehind() throws Exception {
        long epoch = claim(10, 0).epoch();
        AtomicReference<CountDownLatch> writing = new AtomicReference<>();
        AtomicReference<CountDownLatch> cancelled = new AtomicReference<>();
        TransactionalBatchSink<Long> sink = new TransactionalBatchSink<>(DATA_SOURCE, (connection, items) -> {
            writing.get().countDown();
            try {
                cancelled.get().await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("terminating connection due to administrator command", "57P01");
        }, progress, ObservationRegistry.NOOP);

        for (int cycle = 0; cycle < 3; cycle++) {
            // abort while the write is in the database, then the write fails (its connection aborted)
            writing.set(new CountDownLatch(1));
            cancelled.set(new CountDownLatch(1));
            List<SinkItem<Long>> batch = items(10, epoch, cycle * 10, cycle * 10 + 9);
            CompletableFuture<Void> write = CompletableFuture.runAsync(
                    () -> assertThatThrownBy(() -> sink.write(batch)).isInstanceOf(TransientSinkException.class),
                    Thread::startVirtualThread);
            assertThat(writing.get().await(10, TimeUnit.SECONDS)).isTrue();
            sink.cancelAll();
            cancelled.get().countDown();
            write.get(10, TimeUnit.SECONDS);
        }
        assertThat(sink.retryingCount()).as("batches abandoned by aborts are not kept for a retry that never comes").isZero();
    }

    @Test
    void compactionFoldsWhatTheGroupCommittedIntoOneBaseRow() throws Exception {
        long epoch = claim(5, 0).epoch();
        for (long from = 0; from < 50; from += 10) {
            sink(DATA_SOURCE).write(items(5, epoch, from, from + 9));
        }
        progress.committed(Map.of(new PartitionId(topic, 5), 30L));
        progress.compact();

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT first_offset, last_offset, offsets IS NULL AS base FROM sluice.sluice_progress"
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
