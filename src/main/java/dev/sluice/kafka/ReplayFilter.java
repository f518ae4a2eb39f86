package dev.sluice.kafka;

import dev.sluice.pipeline.RejectReason;
import java.time.Instant;
import java.util.Set;

/**
 * Which dead letters a replay sends back; every criterion left null matches everything.
 *
 * @param reasons only dead letters with one of these reasons
 * @param sourcePartition only those of this source partition
 * @param fromOffset only those whose source offset is at least this (inclusive)
 * @param toOffset only those whose source offset is at most this (inclusive)
 * @param since only those dead-lettered at or after this instant (the dead letter's timestamp)
 * @param until only those dead-lettered before this instant
 * @param limit replay at most this many (the first matching in dead-letter order, per partition)
 */
public record ReplayFilter(Set<RejectReason> reasons, Integer sourcePartition, Long fromOffset, Long toOffset,
        Instant since, Instant until, Long limit) {

    public ReplayFilter {
        reasons = reasons == null ? null : Set.copyOf(reasons);
        if (fromOffset != null && toOffset != null && fromOffset > toOffset) {
            throw new IllegalArgumentException("fromOffset (" + fromOffset + ") is after toOffset (" + toOffset + ")");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("since (" + since + ") is not before until (" + until + ")");
        }
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        if (sourcePartition != null && sourcePartition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, was " + sourcePartition);
        }
    }

    /** Everything on the topic. */
    public static ReplayFilter all() {
        return new ReplayFilter(null, null, null, null, null, null, null);
    }

    /** True when nothing narrows the selection: every dead letter on the topic. */
    public boolean selectsEverything() {
        return reasons == null && sourcePartition == null && fromOffset == null && toOffset == null && since == null
                && until == null && limit == null;
    }

    boolean matches(RejectReason reason, int partition, long offset, long deadLetteredAt) {
        return (reasons == null || reasons.contains(reason))
                && (sourcePartition == null || sourcePartition == partition)
                && (fromOffset == null || offset >= fromOffset)
                && (toOffset == null || offset <= toOffset)
                && (since == null || deadLetteredAt >= since.toEpochMilli())
                && (until == null || deadLetteredAt < until.toEpochMilli());
    }
}
