package dev.sluice.payments;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Parsing bounds for payment values (input beyond them is dead-lettered as {@code malformed}
 * before it can cost memory or CPU) and how long {@code payment_journal} keeps its rows.
 *
 * @param maxValueSize largest value accepted (default 16KB: a payment is ~150 bytes; the rest is
 *     room for unknown fields)
 * @param maxNestingDepth deepest JSON nesting accepted, unknown fields included (default 16)
 * @param journalRetention journal rows recorded longer ago than this are deleted (default 7d:
 *     a week of audit; 0 keeps every row). The journal proves the engine's
 *     exactness and deduplicates nothing, so pruning it changes no effect
 * @param journalPruneInterval pause between two prune passes (default 1m: a pass deletes what
 *     aged out since the last one, a minute of traffic at most once caught up)
 * @param journalPruneChunk rows one DELETE removes at most, each in its own short transaction
 *     (default 10000: each statement's row locks and WAL stay small, so a pass over a large
 *     backlog never holds many locks or a long transaction)
 * @param journalPruneTimeout statement timeout of each prune statement, lock waits included (default 10s:
 *     a pass blocked by a lock or a slow disk gives up, is logged and counted, and the next pass
 *     tries again)
 * @param enabled run the payments ledger job (default true); false for a process that runs only
 *     other jobs
 */
@Validated
@ConfigurationProperties("sluice.payments")
public record PaymentProperties(
        @DefaultValue("16KB") DataSize maxValueSize,
        @DefaultValue("16") @Min(1) @Max(1000) int maxNestingDepth,
        @DefaultValue("7d") Duration journalRetention,
        @DefaultValue("1m") @NotNull @DurationMin(seconds = 1) @DurationMax(days = 1) Duration journalPruneInterval,
        @DefaultValue("10000") @Min(100) @Max(1_000_000) int journalPruneChunk,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 5) Duration journalPruneTimeout,
        @DefaultValue("true") boolean enabled) {

    /** Longest retention accepted: ten years. */
    static final Duration MAX_RETENTION = Duration.ofDays(3650);

    @ConstructorBinding
    public PaymentProperties {
        if (maxValueSize == null || maxValueSize.toBytes() < 256 || maxValueSize.toMegabytes() > 64) {
            throw new IllegalArgumentException("sluice.payments.max-value-size must be between 256B and 64MB, was " + maxValueSize);
        }
        if (journalRetention == null || journalRetention.isNegative()
                || (!journalRetention.isZero() && journalRetention.compareTo(Duration.ofHours(1)) < 0)
                || journalRetention.compareTo(MAX_RETENTION) > 0) {
            throw new IllegalArgumentException("sluice.payments.journal-retention must be 0 (keep every row) or between PT1H and "
                    + MAX_RETENTION + ", was " + journalRetention);
        }
    }

    /** The ledger enabled, with the given parsing bounds and the default journal retention (parser tests and benchmarks). */
    public PaymentProperties(DataSize maxValueSize, int maxNestingDepth) {
        this(maxValueSize, maxNestingDepth, Duration.ofDays(7), Duration.ofMinutes(1), 10_000, Duration.ofSeconds(10), true);
    }

    /** Whether journal rows are pruned at all ({@code journal-retention} is not 0). */
    public boolean prunesJournal() {
        return !journalRetention.isZero();
    }
}
