package dev.sluice.pipeline;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the engine guarantees about effects (README "Delivery guarantee").
 *
 * @param guarantee {@code exactly-once} (default): the sink records which source records each
 *     transaction applied in that transaction (table {@code sluice_progress}), the source skips them
 *     after a crash or rebalance, and a member that lost its partitions is fenced by an owner epoch
 *     checked before each commit; every job gets it, idempotent or not. {@code at-least-once}: no
 *     progress is stored; a record redelivered after a crash is applied again, so the job itself
 *     must be idempotent (the ledger is).
 * @param claimTimeout longest a claim, and a retried batch's durable check, waits for a lock
 *     (default 5s); a claim skips owner rows another transaction holds and claims the others, the
 *     skipped partitions retried with backoff and paused meanwhile; a claim that times out is
 *     retried the same way
 * @param compactInterval how often the progress rows below the group's committed offsets are folded
 *     into one base row per partition (default 10s: the table then holds about this long of
 *     transactions per partition, a few hundred rows at the default batch size)
 * @param reclaimBackoff how long a partition fenced by a later claim while Kafka still assigns it
 *     here waits before this member claims it again (default 5s: above a heartbeat interval, so a
 *     member that was fenced because the group already moved the partition learns of its revocation
 *     first instead of taking the partition back); doubled for each fence in a row
 * @param reclaimBackoffMax the longest such wait (default 1m: two members that both believe they own
 *     a partition, which Kafka allows only until its rebalance completes, take it from each other at
 *     most once a minute); a fence after the partition was owned this long starts over at
 *     {@code reclaim-backoff}
 */
@Validated
@ConfigurationProperties("sluice.delivery")
public record DeliveryProperties(
        @DefaultValue("exactly-once") @NotNull Guarantee guarantee,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 100) @DurationMax(minutes = 1) Duration claimTimeout,
        @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(hours = 1) Duration compactInterval,
        @DefaultValue("5s") @NotNull @DurationMin(millis = 10) @DurationMax(minutes = 10) Duration reclaimBackoff,
        @DefaultValue("1m") @NotNull @DurationMax(hours = 1) Duration reclaimBackoffMax) {

    /** The two modes; bound from {@code exactly-once} / {@code at-least-once}. */
    public enum Guarantee { EXACTLY_ONCE, AT_LEAST_ONCE }

    public DeliveryProperties {
        if (reclaimBackoffMax != null && reclaimBackoff != null && reclaimBackoffMax.compareTo(reclaimBackoff) < 0) {
            throw new IllegalArgumentException("sluice.delivery.reclaim-backoff-max (" + reclaimBackoffMax
                    + ") must not be below sluice.delivery.reclaim-backoff (" + reclaimBackoff + ")");
        }
    }

    /** Exactly-once with the defaults (tests and tools that do not bind properties). */
    public static DeliveryProperties defaults() {
        return new DeliveryProperties(Guarantee.EXACTLY_ONCE, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMinutes(1));
    }

    public boolean exactlyOnce() {
        return guarantee == Guarantee.EXACTLY_ONCE;
    }
}
