package dev.sluice.payments;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes {@code payment_journal} rows older than {@code sluice.payments.journal-retention}, every
 * {@code journal-prune-interval}, so the journal holds a window of audit instead of every record
 * ever applied (docs/OPERATIONS.md "Journal retention").
 *
 * <p>A pass deletes at most {@code journal-prune-chunk} rows per statement, each statement its own
 * transaction, until a statement finds fewer: no lock or transaction grows with the backlog. Each
 * statement runs at most {@code journal-prune-timeout}, lock waits included (PostgreSQL's
 * {@code statement_timeout}), and waits for a connection at most the pool's connection timeout. A
 * failed pass is logged at WARN, counted in {@code sluice.journal.prune.failures}, and the next
 * one starts over. {@code SKIP LOCKED} lets the
 * pruners of several replicas share a backlog instead of waiting on one another; the sink only
 * inserts, so nothing else locks journal rows.
 *
 * <p>Nothing reads the journal to decide an effect (the ledger deduplicates on {@code payments}, the
 * engine on {@code sluice_progress}), so a pruned row changes no outcome, only what an audit of
 * older records can count.
 *
 * <p>Runs on its own thread from {@link #start} (after Flyway has migrated) to {@link #stop}, which
 * cancels a statement in progress. Thread-safe: passes run on that one thread.
 */
@Component
@ConditionalOnProperty(name = "sluice.payments.enabled", havingValue = "true", matchIfMissing = true)
class JournalPruner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JournalPruner.class);

    /** One chunk: the oldest-indexed rows past the retention that no other pruner holds. */
    static final String PRUNE = """
            DELETE FROM sluice.payment_journal WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM sluice.payment_journal
                WHERE recorded_at < now() - ?::bigint * interval '1 millisecond'
                LIMIT ? FOR UPDATE SKIP LOCKED))
            """;

    private final DataSource dataSource;
    private final PaymentProperties properties;
    private final Counter pruned;
    private final Counter failures;
    private ScheduledExecutorService scheduler;
    private volatile boolean stopping;
    /** The statement in progress, for {@link #stop} to cancel. */
    private volatile Statement current;

    JournalPruner(DataSource dataSource, PaymentProperties properties, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.properties = properties;
        this.pruned = Counter.builder("sluice.journal.pruned").baseUnit("rows")
                .description("payment_journal rows deleted past sluice.payments.journal-retention").register(registry);
        this.failures = Counter.builder("sluice.journal.prune.failures")
                .description("prune passes that failed (logged at WARN; the next pass tries again)").register(registry);
    }

    /** What one pass did: rows deleted and the statements it took. */
    record Pass(long rows, int statements) {
    }

    /**
     * One pass: chunks until a statement deletes fewer than a chunk, or {@link #stop} is called.
     * Counts and logs a failure and rethrows it.
     */
    Pass prune() throws SQLException {
        long started = System.nanoTime();
        long rows = 0;
        int statements = 0;
        try {
            int deleted;
            do {
                deleted = pruneChunk();
                rows += deleted;
                statements++;
                pruned.increment(deleted);
            } while (deleted == properties.journalPruneChunk() && !stopping);
        } catch (SQLException | RuntimeException e) {
            if (!stopping) {
                failures.increment();
                log.warn("journal prune failed after {} rows ({}); retried in {}", rows, e.toString(),
                        properties.journalPruneInterval());
            }
            throw e;
        }
        if (rows > 0) {
            log.info("journal prune: {} rows older than {} deleted in {} statements, {} ms", rows, properties.journalRetention(),
                    statements, Duration.ofNanos(System.nanoTime() - started).toMillis());
        }
        return new Pass(rows, statements);
    }

    private int pruneChunk() throws SQLException {
        long timeoutMillis = properties.journalPruneTimeout().toMillis();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statement settings = connection.createStatement()) {
                    // lock waits included: nothing here waits longer
                    settings.execute("SET LOCAL statement_timeout = " + timeoutMillis);
                }
                int deleted;
                try (PreparedStatement delete = connection.prepareStatement(PRUNE)) {
                    current = delete;
                    delete.setLong(1, properties.journalRetention().toMillis());
                    delete.setInt(2, properties.journalPruneChunk());
                    deleted = delete.executeUpdate();
                } finally {
                    current = null;
                }
                connection.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private void pass() {
        try {
            prune();
        } catch (SQLException | RuntimeException e) {
            // counted and logged by prune(); the next pass tries again
        }
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        if (!properties.prunesJournal()) {
            log.info("journal retention off (sluice.payments.journal-retention=0): payment_journal keeps every row");
            return;
        }
        stopping = false;
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("sluice-journal-prune").daemon(true).factory());
        long interval = properties.journalPruneInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::pass, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Ends the schedule and cancels a statement in progress (it rolls back), then waits for the thread. */
    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        stopping = true;
        scheduler.shutdown();
        cancelCurrent();
        try {
            if (!scheduler.awaitTermination(properties.journalPruneTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                log.warn("journal prune thread still running at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler = null;
    }

    private void cancelCurrent() {
        Statement statement = current;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                log.debug("cancelling the journal prune statement failed: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
