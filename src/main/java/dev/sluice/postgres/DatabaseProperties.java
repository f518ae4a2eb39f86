package dev.sluice.postgres;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds on every wait of Sluice's own transactions in PostgreSQL (sink batches, claims, the
 * durable check, compaction), set with {@code SET LOCAL} at the start of each, so nothing leaks into
 * the pool. Without them a node lost mid-transaction (killed, cut off) leaves its session "idle in
 * transaction" until TCP keepalive gives up, about two hours, holding its batch's row locks and the
 * share locks on its partitions' owner rows: the member that takes the partitions over waits on
 * them with no end. The driver's socket timeout
 * ({@code spring.datasource.hikari.data-source-properties.socketTimeout}, in seconds) bounds a
 * statement whose server went silent; it must exceed {@code statement-timeout} (checked at start-up,
 * ops/LinkedSettings), or a slow healthy statement would be cut as a dead socket.
 *
 * @param statementTimeout longest one statement of a Sluice transaction runs (default 30s: a batch's
 *     upsert of a few hundred rows takes milliseconds; this only ends a statement stuck on the server,
 *     which is then retried with backoff)
 * @param lockTimeout longest a sink transaction waits for a row lock held by another transaction
 *     (default 5s: healthy transactions of another member hold their locks for milliseconds; a lock
 *     held longer belongs to a stuck or lost session, and the batch is retried with backoff, its wait
 *     counted in {@code sluice.retries{stage="sink"}}); claims wait at most
 *     {@code sluice.delivery.claim-timeout} instead
 * @param idleInTransactionTimeout how long PostgreSQL keeps a session of Sluice's that went silent
 *     inside a transaction before it ends the session, rolling the transaction back and releasing
 *     its locks (default 30s: Sluice never pauses inside a transaction, so only a lost node's session
 *     reaches it; it is how long the member that takes over a lost node's partitions may wait for
 *     them)
 */
@Validated
@ConfigurationProperties("sluice.database")
public record DatabaseProperties(
        @DefaultValue("30s") @NotNull @DurationMin(millis = 100) @DurationMax(hours = 1) Duration statementTimeout,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 10) @DurationMax(hours = 1) Duration lockTimeout,
        @DefaultValue("30s") @NotNull @DurationMin(millis = 100) @DurationMax(hours = 1) Duration idleInTransactionTimeout) {

    public DatabaseProperties {
        if (lockTimeout != null && statementTimeout != null && lockTimeout.compareTo(statementTimeout) > 0) {
            throw new IllegalArgumentException("sluice.database.lock-timeout (" + lockTimeout
                    + ") must not exceed sluice.database.statement-timeout (" + statementTimeout + "): the statement would end first");
        }
    }

    /** The defaults (tests and tools that do not bind properties). */
    public static DatabaseProperties defaults() {
        return new DatabaseProperties(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
}
