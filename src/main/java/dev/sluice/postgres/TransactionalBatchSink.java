package dev.sluice.postgres;

import dev.sluice.pipeline.BatchSink;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.RecordLogContext;
import dev.sluice.pipeline.TracedRecords;
import dev.sluice.pipeline.RejectReason;
import dev.sluice.pipeline.SinkOutcome;
import dev.sluice.pipeline.TransientSinkException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch in one PostgreSQL transaction. A permanent error (see {@link SqlErrors})
 * bisects the batch so the valid records are still written and only the offending one is
 * rejected; a transient error fails the whole call so the stage retries it.
 *
 * <p>Exactly-once mode (with a {@link PostgresProgress}): just before each commit the transaction
 * checks the owner epochs of its partitions and records which offsets it applied. When a
 * partition was claimed by a newer owner since its records were polled, the transaction rolls
 * back, those records come back {@link SinkOutcome.Fenced fenced}, and the rest is written again
 * without them.
 *
 * <p>Thread-safe: each call uses its own connection; connections in use are registered so that
 * {@link #cancelAll()} can abort them, which rolls their transactions back on the server.
 */
public final class TransactionalBatchSink<T> implements BatchSink<T> {

    /** One observation per call: the transaction(s) of a batch, bisection included. */
    public static final String OBSERVATION = "sluice.sink.write";
    private static final Logger log = LoggerFactory.getLogger(TransactionalBatchSink.class);

    private final DataSource dataSource;
    private final BatchWriter<T> writer;
    /** Exactly-once progress and fencing, or null (at-least-once). */
    private final PostgresProgress progress;
    /**
     * Batches whose last write failed after a transaction of theirs may have committed (a lost
     * commit acknowledgement, a transient error in the middle of a bisection), exactly-once mode
     * only: their next write first asks the progress table which items are durable already. Added
     * and removed by the sink thread that owns the batch; at most one batch per sink thread.
     */
    private final Set<List<SinkItem<T>>> retrying = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Counts {@link #cancelAll()} calls; a write marks its batch retrying only if no cancel came since
     * it started (an aborted batch is never written again, so its mark would only pile up). Guarded by
     * {@code retrying}'s monitor, with the set.
     */
    private long cancels;
    private final ObservationRegistry observations;
    /** Every transaction's wait bounds ({@code sluice.database.*}): a lost node's locks cost a retry, never a hang. */
    private final LocalTransaction.Bounds bounds;
    /** Connections with a transaction in progress; each added and removed by the thread using it. */
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();

    /** At-least-once: the batch's effects only. */
    public TransactionalBatchSink(DataSource dataSource, BatchWriter<T> writer) {
        this(dataSource, writer, null, ObservationRegistry.NOOP);
    }

    /**
     * @param progress exactly-once when given: effects, fence and progress in one transaction; null for at-least-once
     * @param observations observes each call ({@value #OBSERVATION}; a span linked to the records' producer traces)
     */
    public TransactionalBatchSink(DataSource dataSource, BatchWriter<T> writer, PostgresProgress progress,
            ObservationRegistry observations) {
        this(dataSource, writer, progress, observations, DatabaseProperties.defaults());
    }

    /** @param database bounds each transaction's statements, lock waits and silence ({@code sluice.database.*}) */
    public TransactionalBatchSink(DataSource dataSource, BatchWriter<T> writer, PostgresProgress progress,
            ObservationRegistry observations, DatabaseProperties database) {
        this.bounds = LocalTransaction.Bounds.of(database);
        this.dataSource = dataSource;
        this.writer = writer;
        this.progress = progress;
        this.observations = observations;
    }

    @Override
    public List<SinkOutcome> write(List<SinkItem<T>> batch) throws TransientSinkException, InterruptedException {
        List<InboundRecord> records = new ArrayList<>(batch.size());
        for (SinkItem<T> item : batch) {
            records.add(item.record());
        }
        Observation observation = Observation.createNotStarted(OBSERVATION, () -> new TracedRecords(records), observations)
                .highCardinalityKeyValue("sluice.batch.size", Integer.toString(batch.size()))
                .start();
        List<SinkOutcome> outcomes;
        long cancelsAtStart = cancels();
        try (Observation.Scope scope = observation.openScope(); RecordLogContext context = RecordLogContext.ofBatch(records)) {
            outcomes = progress != null && isRetrying(batch) ? rewrite(batch) : isolating(batch);
            unmark(batch);
            observation.lowCardinalityKeyValue("outcome", "committed");
        } catch (SQLException e) {
            observation.lowCardinalityKeyValue("outcome", "retry").error(e);
            markRetrying(batch, cancelsAtStart);
            throw new TransientSinkException(SqlErrors.transientCause(e), e);
        } catch (RuntimeException e) {
            observation.lowCardinalityKeyValue("outcome", "retry").error(e);
            // A bug of ours (or of the driver), not the record's fault: retried visibly, never
            // dead-lettered, and never allowed to end the sink thread that called us.
            markRetrying(batch, cancelsAtStart);
            throw new TransientSinkException("unexpected-" + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            observation.lowCardinalityKeyValue("outcome", "cancelled");
            throw e;
        } catch (Error e) {
            // The stage retries after an Error too (or fails the run): a bisection half may have
            // committed before it, so the retry must ask what is durable like any other.
            observation.lowCardinalityKeyValue("outcome", "retry").error(e);
            markRetrying(batch, cancelsAtStart);
            throw e;
        } finally {
            observation.stop();
        }
        // after the commit and outside it: nothing here may make the stage write this batch again
        if (progress != null) {
            progress.compactIfDue();
        }
        return outcomes;
    }

    private long cancels() {
        synchronized (retrying) {
            return cancels;
        }
    }

    private boolean isRetrying(List<SinkItem<T>> batch) {
        synchronized (retrying) {
            return retrying.contains(batch);
        }
    }

    private void unmark(List<SinkItem<T>> batch) {
        synchronized (retrying) {
            retrying.remove(batch);
        }
    }

    /** Marks {@code batch} for the durable check on its next write, unless a cancel came since the write began. */
    private void markRetrying(List<SinkItem<T>> batch, long cancelsAtStart) {
        if (progress == null) {
            return;
        }
        synchronized (retrying) {
            if (cancels == cancelsAtStart) {
                retrying.add(batch);
            }
        }
    }

    /** Batches marked for the durable check (a test's view of the bookkeeping). */
    int retryingCount() {
        synchronized (retrying) {
            return retrying.size();
        }
    }

    /**
     * A retried batch (exactly-once): the items the progress table already holds were applied by an
     * attempt whose failure came after its commit; they count as duplicates (no further effect), and
     * only the rest is written. The read waits for an earlier attempt whose COMMIT may still be in
     * flight (see {@link PostgresProgress#durable}); it is abortable like a write.
     */
    private List<SinkOutcome> rewrite(List<SinkItem<T>> batch) throws SQLException, InterruptedException {
        boolean[] durable;
        try (Connection connection = dataSource.getConnection()) {
            active.add(connection);
            try {
                connection.setAutoCommit(false);
                durable = progress.durable(connection, batch);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                active.remove(connection);
            }
        }
        List<SinkItem<T>> rest = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!durable[i]) {
                rest.add(batch.get(i));
            }
        }
        if (rest.size() < batch.size()) {
            log.info("retried batch: {} of {} records were durable already (an earlier attempt committed them)",
                    batch.size() - rest.size(), batch.size());
        }
        List<SinkOutcome> written = rest.isEmpty() ? List.of() : isolating(rest);
        return merge(durable, SinkOutcome.DUPLICATE, written);
    }

    /** Outcomes in batch order: {@code fixed} where {@code mask} is set, the next of {@code others} elsewhere. */
    private static List<SinkOutcome> merge(boolean[] mask, SinkOutcome fixed, List<SinkOutcome> others) {
        List<SinkOutcome> outcomes = new ArrayList<>(mask.length);
        int next = 0;
        for (boolean set : mask) {
            outcomes.add(set ? fixed : others.get(next++));
        }
        return outcomes;
    }

    /** Writes {@code batch}; on a permanent error splits it until the bad records stand alone. */
    private List<SinkOutcome> isolating(List<SinkItem<T>> batch) throws SQLException, InterruptedException {
        try {
            Attempt attempt = once(batch);
            return attempt.fenced() == null ? attempt.outcomes() : withoutFenced(batch, attempt.fenced());
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw e;
            }
            if (batch.size() == 1) {
                log.debug("record refused by the database: {}", e.getMessage());
                return List.of(new SinkOutcome.Rejected(RejectReason.INVALID,
                        "database refused the record (SQLState " + e.getSQLState() + "): " + e.getMessage(), e.getClass().getName()));
            }
            int half = batch.size() / 2;
            List<SinkOutcome> outcomes = new ArrayList<>(batch.size());
            outcomes.addAll(isolating(batch.subList(0, half)));
            outcomes.addAll(isolating(batch.subList(half, batch.size())));
            return outcomes;
        }
    }

    /**
     * The batch without its fenced items, in a new transaction, with {@link SinkOutcome#FENCED} in
     * their places. Ends: an epoch never falls again, so a fenced item stays fenced and each round
     * writes fewer items.
     */
    private List<SinkOutcome> withoutFenced(List<SinkItem<T>> batch, boolean[] fenced) throws SQLException, InterruptedException {
        List<SinkItem<T>> rest = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!fenced[i]) {
                rest.add(batch.get(i));
            }
        }
        log.info("{} of {} records fenced (their partitions have a newer owner); writing the other {} again",
                batch.size() - rest.size(), batch.size(), rest.size());
        List<SinkOutcome> written = rest.isEmpty() ? List.of() : isolating(rest);
        return merge(fenced, SinkOutcome.FENCED, written);
    }

    /** One transaction's result: its outcomes once committed, or (rolled back) which items were fenced. */
    private record Attempt(List<SinkOutcome> outcomes, boolean[] fenced) {
    }

    private Attempt once(List<SinkItem<T>> batch) throws SQLException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("sink write cancelled");
        }
        try (Connection connection = dataSource.getConnection()) {
            active.add(connection);
            try {
                connection.setAutoCommit(false);
                LocalTransaction.bound(connection, bounds);
                List<SinkOutcome> outcomes = writer.write(connection, batch);
                boolean[] fenced = progress == null ? null : progress.record(connection, batch, outcomes);
                if (fenced != null) {
                    connection.rollback();
                    return new Attempt(null, fenced);
                }
                connection.commit();
                return new Attempt(outcomes, null);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                active.remove(connection);
            }
        }
    }

    @Override
    public void cancelAll() {
        synchronized (retrying) {
            cancels++;
            retrying.clear();
        }
        for (Connection connection : active) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                log.debug("aborting a connection failed: {}", e.getMessage());
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.debug("rollback failed (the connection is gone, so is the transaction): {}", e.getMessage());
        }
    }
}
