package dev.sluice.postgres;

import dev.sluice.offsets.AppliedOffsets;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import dev.sluice.pipeline.ProgressStore;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once progress in PostgreSQL (tables {@code sluice_owner} and {@code sluice_progress},
 * migration V2). Three uses:
 * <ul>
 * <li>{@link #claim}: on assignment, raise each partition's owner epoch and read what is durable
 * above the group's committed offset (poll thread).</li>
 * <li>{@link #record}: inside each sink transaction, just before its commit, lock the owner rows of
 * the batch's partitions FOR SHARE, compare their epochs with the records' own, and append which
 * offsets the transaction applied (sink threads). The share lock is held to the commit, so a claim
 * waits for a transaction that already passed the check, and every later transaction of the old
 * owner sees the new epoch and rolls back: a member that lost a partition cannot apply anything
 * to it once the new owner has read its state.</li>
 * <li>{@link #compactIfDue}: fold the rows below the group's committed offsets into one base row
 * per partition, at most every {@code compactInterval} (a sink thread, after its commit).</li>
 * </ul>
 *
 * <p>Thread-safe: the committed offsets are a concurrent map written by the poll thread; one
 * compaction runs at a time ({@code compacting}); each call uses its own connection or the caller's.
 */
public final class PostgresProgress implements ProgressStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresProgress.class);

    /**
     * Creates the owner rows a claim needs that do not exist yet (epoch 0: {@link #CLAIM} raises it to
     * 1). Reads existing rows without locking them, so a row locked by another transaction never
     * makes it wait; only a row another claim is inserting at the same moment does.
     */
    static final String ENSURE_OWNERS = """
            INSERT INTO sluice.sluice_owner AS o (consumer_group, topic, partition, epoch, owner)
            SELECT ?, t.topic, t.partition, 0, ?
            FROM unnest(?::text[], ?::int4[]) AS t(topic, partition)
            WHERE NOT EXISTS (SELECT 1 FROM sluice.sluice_owner e
                              WHERE e.consumer_group = ? AND e.topic = t.topic AND e.partition = t.partition)
            ORDER BY t.topic, t.partition
            ON CONFLICT (consumer_group, topic, partition) DO NOTHING
            """;

    /**
     * Raises the epoch of every owner row no other transaction holds, skipping the locked ones: a
     * partition whose row is held (a previous owner's transaction committing at this moment, or a
     * lost node's session until {@code sluice.database.idle-in-transaction-timeout} ends it) does
     * not hold up the claims of the others; it is claimed again with backoff.
     */
    static final String CLAIM = """
            WITH free AS (
                SELECT o.topic, o.partition FROM sluice.sluice_owner o
                JOIN unnest(?::text[], ?::int4[]) AS t(topic, partition) ON o.topic = t.topic AND o.partition = t.partition
                WHERE o.consumer_group = ?
                ORDER BY o.topic, o.partition
                FOR UPDATE OF o SKIP LOCKED
            )
            UPDATE sluice.sluice_owner o SET epoch = o.epoch + 1, owner = ?, claimed_at = now()
            FROM free
            WHERE o.consumer_group = ? AND o.topic = free.topic AND o.partition = free.partition
            RETURNING o.topic, o.partition, o.epoch
            """;

    static final String DURABLE = """
            SELECT offsets IS NULL, last_offset,
                   ARRAY(SELECT a FROM unnest(offsets) AS a WHERE a >= ?)
            FROM sluice.sluice_progress
            WHERE consumer_group = ? AND topic = ? AND partition = ? AND last_offset >= ?
            """;

    /** The fence and the progress of one topic's records in one statement (one round trip per transaction). */
    static final String RECORD = """
            WITH owner AS (
                SELECT partition, epoch FROM sluice.sluice_owner
                WHERE consumer_group = ? AND topic = ? AND partition = ANY(?::int4[])
                ORDER BY partition FOR SHARE
            ), progress AS (
                INSERT INTO sluice.sluice_progress (consumer_group, topic, partition, epoch, first_offset, last_offset, offsets)
                SELECT ?, ?, t.p, max(t.e), min(t.o), max(t.o), array_agg(t.o ORDER BY t.o)
                FROM unnest(?::int4[], ?::int8[], ?::int8[]) AS t(p, e, o)
                GROUP BY t.p
            )
            SELECT partition, epoch FROM owner
            """;

    static final String COMPACT = """
            WITH marks AS (
                SELECT * FROM unnest(?::text[], ?::int4[], ?::int8[]) AS m(topic, partition, below)
            ), dropped AS (
                DELETE FROM sluice.sluice_progress p USING marks m
                WHERE p.consumer_group = ? AND p.topic = m.topic AND p.partition = m.partition AND p.last_offset < m.below
            )
            INSERT INTO sluice.sluice_progress (consumer_group, topic, partition, epoch, first_offset, last_offset, offsets)
            SELECT ?, topic, partition, 0, 0, below - 1, NULL FROM marks
            """;

    private final DataSource dataSource;
    private final String group;
    private final String owner;
    /** Bounds of the sink's transactions; claims and the durable check wait for locks up to the claim timeout instead. */
    private final LocalTransaction.Bounds sinkBounds;
    private final LocalTransaction.Bounds claimBounds;
    private final long compactIntervalNanos;
    /** The group's latest committed offset per partition: written by the poll thread, read by the compaction. */
    private final Map<PartitionId, Long> committed = new ConcurrentHashMap<>();
    /** What the last compaction folded, per partition; touched only by the compaction holding {@code compacting}. */
    private final Map<PartitionId, Long> compacted = new HashMap<>();
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final AtomicLong nextCompactionNanos;

    /** With the default database bounds (tests and tools). */
    public PostgresProgress(DataSource dataSource, String group, String owner, Duration claimTimeout, Duration compactInterval) {
        this(dataSource, group, owner, claimTimeout, compactInterval, DatabaseProperties.defaults());
    }

    /** @param database bounds every transaction's waits ({@code sluice.database.*}) */
    public PostgresProgress(DataSource dataSource, String group, String owner, Duration claimTimeout, Duration compactInterval,
            DatabaseProperties database) {
        this.dataSource = dataSource;
        this.group = group;
        this.owner = owner;
        this.sinkBounds = LocalTransaction.Bounds.of(database);
        this.claimBounds = sinkBounds.locking(claimTimeout);
        this.compactIntervalNanos = compactInterval.toNanos();
        this.nextCompactionNanos = new AtomicLong(System.nanoTime() + compactIntervalNanos);
    }

    public String group() {
        return group;
    }

    // ---- claim (poll thread) ----

    /**
     * Claims the partitions whose owner rows no other transaction holds; a partition whose row is
     * locked is left out of the result (the caller retries it with backoff). {@code abort} cuts the
     * claim short by aborting its connection, which ends its transaction on the server.
     */
    @Override
    public Map<PartitionId, Claim> claim(Map<PartitionId, Long> from, ClaimAbort abort) throws TransientSinkException {
        List<PartitionId> sorted = from.keySet().stream()
                .sorted(Comparator.comparing(PartitionId::topic).thenComparingInt(PartitionId::partition)).toList();
        try {
            return LocalTransaction.run(dataSource, claimBounds, connection -> {
                PGConnection server = connection.unwrap(PGConnection.class);
                abort.whileClaiming(() -> cutShort(connection, server));
                try {
                    Map<PartitionId, Long> epochs = raiseEpochs(connection, sorted);
                    Map<PartitionId, Claim> claims = new LinkedHashMap<>();
                    for (PartitionId partition : sorted) {
                        Long epoch = epochs.get(partition);
                        if (epoch != null) {
                            claims.put(partition, new Claim(epoch, durable(connection, partition, from.getOrDefault(partition, 0L))));
                        }
                    }
                    if (abort.aborted()) {
                        throw new SQLException("claim aborted", "57014");
                    }
                    return claims;
                } finally {
                    abort.whileClaiming(null);
                }
            });
        } catch (SQLException e) {
            throw new TransientSinkException(abort.aborted() ? "aborted" : SqlErrors.transientCause(e), e);
        }
    }

    /**
     * Ends a claim from another thread: aborting the connection frees the poll thread at once, and
     * a cancel request (on its own connection, in the background: the server may be unreachable)
     * ends the statement on the server too, which would otherwise keep waiting for its lock, and
     * holding what it locked, up to the claim timeout.
     */
    /** How long an abort waits for the cancel request before it aborts the connection anyway. */
    static final Duration CANCEL_WAIT = Duration.ofMillis(500);

    /**
     * Cancels the claim's statement on the server, then aborts its connection. In that order: the
     * driver sends no cancel request for a connection already aborted, and a statement waiting on a
     * lock would then hold its server session until the lock timeout. The cancel is waited for
     * {@link #CANCEL_WAIT} at most; the connection is aborted in any case.
     */
    private static void cutShort(Connection connection, PGConnection server) {
        Thread cancel = Thread.ofVirtual().name("sluice-claim-cancel").start(() -> {
            try {
                server.cancelQuery();
            } catch (SQLException | RuntimeException e) {
                log.debug("cancelling the claim's statement failed: {}", e.getMessage());
            } finally {
                abortQuietly(connection);
            }
        });
        try {
            cancel.join(CANCEL_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        abortQuietly(connection);
    }

    private static void abortQuietly(Connection connection) {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("aborting the claim's connection failed: {}", e.getMessage());
        }
    }

    private Map<PartitionId, Long> raiseEpochs(Connection connection, List<PartitionId> partitions) throws SQLException {
        Object[] topics = partitions.stream().map(PartitionId::topic).toArray();
        Object[] numbers = partitions.stream().map(PartitionId::partition).toArray();
        try (PreparedStatement ensure = connection.prepareStatement(ENSURE_OWNERS)) {
            ensure.setString(1, group);
            ensure.setString(2, owner);
            ensure.setArray(3, connection.createArrayOf("text", topics));
            ensure.setArray(4, connection.createArrayOf("int4", numbers));
            ensure.setString(5, group);
            ensure.executeUpdate();
        }
        Map<PartitionId, Long> epochs = new HashMap<>();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setArray(1, connection.createArrayOf("text", topics));
            claim.setArray(2, connection.createArrayOf("int4", numbers));
            claim.setString(3, group);
            claim.setString(4, owner);
            claim.setString(5, group);
            try (ResultSet rows = claim.executeQuery()) {
                while (rows.next()) {
                    epochs.put(new PartitionId(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                }
            }
        }
        return epochs;
    }

    private AppliedOffsets durable(Connection connection, PartitionId partition, long from) throws SQLException {
        long base = 0;
        List<long[]> applied = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(DURABLE)) {
            select.setLong(1, from);
            select.setString(2, group);
            select.setString(3, partition.topic());
            select.setInt(4, partition.partition());
            select.setLong(5, from);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    if (rows.getBoolean(1)) {
                        base = Math.max(base, rows.getLong(2) + 1);
                    } else {
                        applied.add(longs(rows.getArray(3)));
                    }
                }
            }
        }
        return AppliedOffsets.of(base, applied.stream().flatMapToLong(Arrays::stream).toArray());
    }

    private static long[] longs(Array array) throws SQLException {
        Object[] values = (Object[]) array.getArray();
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = ((Number) values[i]).longValue();
        }
        return result;
    }

    // ---- fence and record (sink threads, inside the batch's transaction) ----

    /**
     * Checks the owner epochs of every item's partition and appends the offsets the transaction
     * applied (items written or found duplicate; rejected ones are dead-lettered, at least once).
     * Returns, per item, whether it is fenced (its partition was claimed again since it was polled),
     * or null when none is: then the caller may commit; otherwise it must roll back.
     */
    <T> boolean[] record(Connection connection, List<SinkItem<T>> batch, List<SinkOutcome> outcomes) throws SQLException {
        Map<String, List<Integer>> byTopic = byTopic(batch);
        boolean[] fenced = null;
        for (Map.Entry<String, List<Integer>> topic : byTopic.entrySet()) {
            Map<Integer, Long> owners = recordTopic(connection, topic.getKey(), batch, outcomes, topic.getValue());
            for (int i : topic.getValue()) {
                RecordRef ref = batch.get(i).record().ref();
                Long ownerEpoch = owners.get(ref.partition().partition());
                if (ownerEpoch == null || ownerEpoch != ref.epoch()) {
                    if (fenced == null) {
                        fenced = new boolean[batch.size()];
                    }
                    fenced[i] = true;
                }
            }
        }
        return fenced;
    }

    /** Locks the owner rows of {@code items}' partitions and appends the applied ones' offsets; returns the owner epochs. */
    private <T> Map<Integer, Long> recordTopic(Connection connection, String topic, List<SinkItem<T>> batch,
            List<SinkOutcome> outcomes, List<Integer> items) throws SQLException {
        int[] ownedPartitions = items.stream().mapToInt(i -> batch.get(i).record().ref().partition().partition()).distinct().toArray();
        int applied = 0;
        for (int i : items) {
            if (applied(outcomes.get(i))) {
                applied++;
            }
        }
        int[] partitions = new int[applied];
        long[] epochs = new long[applied];
        long[] offsets = new long[applied];
        int row = 0;
        for (int i : items) {
            if (applied(outcomes.get(i))) {
                RecordRef ref = batch.get(i).record().ref();
                partitions[row] = ref.partition().partition();
                epochs[row] = ref.epoch();
                offsets[row] = ref.offset();
                row++;
            }
        }
        Map<Integer, Long> owners = new HashMap<>();
        PGConnection pg = connection.unwrap(PGConnection.class);
        try (PreparedStatement record = connection.prepareStatement(RECORD)) {
            record.setString(1, group);
            record.setString(2, topic);
            record.setArray(3, pg.createArrayOf("int4", ownedPartitions));
            record.setString(4, group);
            record.setString(5, topic);
            record.setArray(6, pg.createArrayOf("int4", partitions));
            record.setArray(7, pg.createArrayOf("int8", epochs));
            record.setArray(8, pg.createArrayOf("int8", offsets));
            try (ResultSet rows = record.executeQuery()) {
                while (rows.next()) {
                    owners.put(rows.getInt(1), rows.getLong(2));
                }
            }
        }
        return owners;
    }

    private static boolean applied(SinkOutcome outcome) {
        return outcome instanceof SinkOutcome.Written || outcome instanceof SinkOutcome.Duplicate;
    }

    static final String DURABLE_ITEMS = """
            SELECT t.i FROM unnest(?::int4[], ?::int8[], ?::int4[]) AS t(p, o, i)
            WHERE EXISTS (SELECT 1 FROM sluice.sluice_progress s
                          WHERE s.consumer_group = ? AND s.topic = ? AND s.partition = t.p
                            AND s.last_offset >= t.o AND s.first_offset <= t.o
                            AND (s.offsets IS NULL OR t.o = ANY(s.offsets)))
            """;

    /**
     * Waits out every transaction that passed the fence on these partitions and has not ended: each
     * holds its owner rows FOR SHARE until its COMMIT is done and visible, so taking them FOR UPDATE
     * returns only once an earlier attempt whose acknowledgement was lost has committed or rolled back
     * (a COMMIT still in flight: a slow WAL flush, synchronous replication, a proxy that dropped the
     * client side). Bounded by the claim timeout; a timeout is a transient error, retried.
     */
    static final String AWAIT_IN_DOUBT = """
            SELECT partition FROM sluice.sluice_owner
            WHERE consumer_group = ? AND topic = ? AND partition = ANY(?::int4[])
            ORDER BY partition FOR UPDATE
            """;

    /**
     * Per item of {@code batch}: true when the progress table says its effect is durable already.
     * Runs in the caller's transaction (auto-commit off) and first waits for any transaction of these
     * partitions still in flight ({@link #AWAIT_IN_DOUBT}), so an in-doubt earlier attempt is seen.
     */
    <T> boolean[] durable(Connection connection, List<SinkItem<T>> batch) throws SQLException {
        boolean[] durable = new boolean[batch.size()];
        Map<String, List<Integer>> byTopic = byTopic(batch);
        PGConnection pg = connection.unwrap(PGConnection.class);
        LocalTransaction.bound(connection, claimBounds);
        for (Map.Entry<String, List<Integer>> topic : byTopic.entrySet()) {
            List<Integer> items = topic.getValue();
            int[] partitions = new int[items.size()];
            long[] offsets = new long[items.size()];
            int[] indexes = new int[items.size()];
            for (int j = 0; j < items.size(); j++) {
                RecordRef ref = batch.get(items.get(j)).record().ref();
                partitions[j] = ref.partition().partition();
                offsets[j] = ref.offset();
                indexes[j] = items.get(j);
            }
            try (PreparedStatement await = connection.prepareStatement(AWAIT_IN_DOUBT)) {
                await.setString(1, group);
                await.setString(2, topic.getKey());
                await.setArray(3, pg.createArrayOf("int4", Arrays.stream(partitions).distinct().sorted().toArray()));
                await.executeQuery().close();
            }
            try (PreparedStatement select = connection.prepareStatement(DURABLE_ITEMS)) {
                select.setArray(1, pg.createArrayOf("int4", partitions));
                select.setArray(2, pg.createArrayOf("int8", offsets));
                select.setArray(3, pg.createArrayOf("int4", indexes));
                select.setString(4, group);
                select.setString(5, topic.getKey());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        durable[rows.getInt(1)] = true;
                    }
                }
            }
        }
        return durable;
    }

    /** The indexes of {@code batch}'s items per topic, topics in batch order. */
    private static <T> Map<String, List<Integer>> byTopic(List<SinkItem<T>> batch) {
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byTopic.computeIfAbsent(batch.get(i).record().ref().partition().topic(), t -> new ArrayList<>()).add(i);
        }
        return byTopic;
    }

    // ---- compaction ----

    @Override
    public void committed(Map<PartitionId, Long> offsets) {
        offsets.forEach((partition, offset) -> committed.merge(partition, offset, Math::max));
    }

    /**
     * Folds the progress below the group's committed offsets, if {@code compactInterval} passed and
     * no other thread is at it. Failures are logged and retried at the next interval: the rows only
     * wait longer to be folded.
     */
    void compactIfDue() {
        long now = System.nanoTime();
        if (now - nextCompactionNanos.get() < 0 || !compacting.compareAndSet(false, true)) {
            return;
        }
        try {
            nextCompactionNanos.set(now + compactIntervalNanos);
            compact();
        } catch (SQLException | RuntimeException e) {
            log.warn("progress compaction failed ({}); retried in {} ms", e.toString(), compactIntervalNanos / 1_000_000);
        } finally {
            compacting.set(false);
        }
    }

    /** Folds now (the compaction in progress, or a test). */
    void compact() throws SQLException {
        Map<PartitionId, Long> due = new LinkedHashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset > compacted.getOrDefault(partition, -1L)) {
                due.put(partition, offset);
            }
        });
        if (due.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            LocalTransaction.bound(connection, sinkBounds);
            try (PreparedStatement compact = connection.prepareStatement(COMPACT)) {
                compact.setArray(1, connection.createArrayOf("text", due.keySet().stream().map(PartitionId::topic).toArray()));
                compact.setArray(2, connection.createArrayOf("int4", due.keySet().stream().map(PartitionId::partition).toArray()));
                compact.setArray(3, connection.createArrayOf("int8", due.values().toArray()));
                compact.setString(4, group);
                compact.setString(5, group);
                compact.executeUpdate();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        compacted.putAll(due);
    }
}
