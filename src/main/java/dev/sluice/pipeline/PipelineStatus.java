package dev.sluice.pipeline;

import java.util.Map;

/**
 * A point-in-time view of the pipeline for the status endpoint and health.
 *
 * @param inFlight records polled and not yet committed (including revoked ones still in work)
 * @param paused true while the source is paused by backpressure
 * @param partitions per assigned partition: its ownership, committed offset, completed low-water mark, last
 *     polled, in flight
 * @param lastStop the last drain or abort, or null
 * @param window the in-flight window the source pauses at, and what it was set from
 * @param workers how many workers may handle records at once, and the latency that limit follows
 */
public record PipelineStatus(PipelineState state, int inFlight, int maxInFlight, long inFlightBytes,
        long maxInFlightBytes, boolean paused, long oldestInFlightMillis, Map<String, PartitionStatus> partitions,
        Totals totals, StopReport lastStop, Window window, Workers workers) {

    /**
     * The worker limit (see {@link WorkerLimit}).
     *
     * @param mode {@code adaptive} or {@code fixed} ({@code sluice.flow.workers})
     * @param limit workers that may handle records at once now
     * @param busy workers handling a record right now
     * @param min the smallest adaptive limit ({@code sluice.flow.min-worker-permits})
     * @param max the bound ({@code sluice.flow.worker-permits})
     * @param lastMillis time the last record took on its worker (adaptive only)
     */
    public record Workers(String mode, int limit, int busy, int min, int max, double lastMillis) {

        public static Workers of(WorkerLimit limit, int busy) {
            return new Workers(limit.adaptive() ? "adaptive" : "fixed", limit.current(), busy, limit.min(), limit.max(),
                    Math.round(limit.lastMillis() * 1000) / 1000.0);
        }
    }

    /**
     * The in-flight window (see {@link AdaptiveWindow}).
     *
     * @param mode {@code adaptive} or {@code fixed} ({@code sluice.flow.window})
     * @param records the source pauses once this many records are in flight
     * @param reason why the window has this size ({@link AdaptiveWindow.Reason}, lower case)
     * @param arrivalRate λ: records committed per second in the last sample
     * @param timeInSystemMillis W: their mean time from poll to commit
     * @param needed L = λ·W: records in flight the measured traffic needs, before headroom
     * @param min the smallest window ({@code sluice.flow.min-in-flight}, at least one poll)
     * @param max the bound ({@code sluice.flow.max-in-flight})
     */
    public record Window(String mode, int records, String reason, double arrivalRate, double timeInSystemMillis, long needed,
            int min, int max) {

        public static Window of(FlowProperties flow, AdaptiveWindow.Decision decision, int min) {
            return new Window(flow.window().name().toLowerCase(java.util.Locale.ROOT), decision.window(),
                    decision.reason().name().toLowerCase(java.util.Locale.ROOT), Math.round(decision.arrivalRate() * 10) / 10.0,
                    Math.round(decision.timeInSystemMillis() * 10) / 10.0, decision.needed(), min,
                    flow.maxInFlight());
        }
    }

    /**
     * One assigned partition; offsets -1 where unknown yet.
     *
     * @param ownership {@code owned} (fetched and processed), {@code claiming} (waiting for its
     *     exactly-once claim) or {@code fenced} (a later claim took it while Kafka still assigns it
     *     here; claimed again after a backoff). Only an owned partition shows its completed and
     *     polled offsets and records in flight; the others show the last committed offset
     * @param epoch the owner epoch it is owned under, or the one that was fenced; 0 if none yet
     * @param unownedMillis how long it has not been owned (0 while owned)
     */
    public record PartitionStatus(long committed, long completed, long lastPolled, int inFlight, String ownership, long epoch,
            long unownedMillis) {
    }

    /** Records since start, by outcome. */
    public record Totals(long written, long duplicates, long deadLettered, long retries) {
    }
}
