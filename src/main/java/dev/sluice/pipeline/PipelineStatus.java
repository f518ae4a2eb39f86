package dev.sluice.pipeline;

import java.util.Map;

/**
 * A point-in-time view of the pipeline for the status endpoint and health.
 *
 * @param inFlight records polled and not yet committed (including revoked ones still in work)
 * @param paused true while the source is paused by backpressure
 * @param partitions per partition: committed offset, completed low-water mark, last polled, in flight
 * @param lastStop the last drain or abort, or null
 */
public record PipelineStatus(PipelineState state, int inFlight, int maxInFlight, long inFlightBytes,
        long maxInFlightBytes, boolean paused, long oldestInFlightMillis, Map<String, PartitionStatus> partitions,
        Totals totals, StopReport lastStop) {

    /** Offsets of one partition; -1 where unknown yet. */
    public record PartitionStatus(long committed, long completed, long lastPolled, int inFlight) {
    }

    /** Records since start, by outcome. */
    public record Totals(long written, long duplicates, long deadLettered, long retries) {
    }
}
