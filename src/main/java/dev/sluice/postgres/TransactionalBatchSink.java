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
 * <p>Thread-safe: each call uses its own connection; connections in use are registered so that
 * {@link #cancelAll()} can abort them, which rolls their transactions back on the server.
 */
public final class TransactionalBatchSink<T> implements BatchSink<T> {

    /** One observation per call: the transaction(s) of a batch, bisection included. */
    public static final String OBSERVATION = "sluice.sink.write";
    private static final Logger log = LoggerFactory.getLogger(TransactionalBatchSink.class);

    private final DataSource dataSource;
    private final BatchWriter<T> writer;
    private final ObservationRegistry observations;
    /** Connections with a transaction in progress; each added and removed by the thread using it. */
    private final Set<Connection> active = ConcurrentHashMap.newKeySet();

    public TransactionalBatchSink(DataSource dataSource, BatchWriter<T> writer) {
        this(dataSource, writer, ObservationRegistry.NOOP);
    }

    /** @param observations observes each call ({@value #OBSERVATION}; a span linked to the records' producer traces) */
    public TransactionalBatchSink(DataSource dataSource, BatchWriter<T> writer, ObservationRegistry observations) {
        this.dataSource = dataSource;
        this.writer = writer;
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
        try (Observation.Scope scope = observation.openScope(); RecordLogContext context = RecordLogContext.ofBatch(records)) {
            List<SinkOutcome> outcomes = isolating(batch);
            observation.lowCardinalityKeyValue("outcome", "committed");
            return outcomes;
        } catch (SQLException e) {
            observation.lowCardinalityKeyValue("outcome", "retry").error(e);
            throw new TransientSinkException(SqlErrors.transientCause(e), e);
        } catch (RuntimeException e) {
            observation.lowCardinalityKeyValue("outcome", "retry").error(e);
            // A bug of ours (or of the driver), not the record's fault: retried visibly, never
            // dead-lettered, and never allowed to end the sink thread that called us.
            throw new TransientSinkException("unexpected-" + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            observation.lowCardinalityKeyValue("outcome", "cancelled");
            throw e;
        } finally {
            observation.stop();
        }
    }

    /** Writes {@code batch}; on a permanent error splits it until the bad records stand alone. */
    private List<SinkOutcome> isolating(List<SinkItem<T>> batch) throws SQLException, InterruptedException {
        try {
            return once(batch);
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

    private List<SinkOutcome> once(List<SinkItem<T>> batch) throws SQLException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("sink write cancelled");
        }
        try (Connection connection = dataSource.getConnection()) {
            active.add(connection);
            try {
                connection.setAutoCommit(false);
                List<SinkOutcome> outcomes = writer.write(connection, batch);
                connection.commit();
                return outcomes;
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
