package dev.sluice.pipeline;

/**
 * Decides when the source pauses and resumes fetching, so that records polled and not yet
 * committed never exceed {@code maxInFlight} and their bytes stay within {@code maxInFlightBytes}.
 *
 * <p>Overflow policy is "block": the source pauses its partitions (Kafka is replayable, so
 * blocking there is safe) and keeps polling to stay in the group. The high mark leaves room for
 * one more poll ({@code maxPollRecords} records, {@code maxPollBytes} bytes), so a poll made
 * below it cannot overshoot the bound; the source resumes at the low mark.
 *
 * <p>Written only by the poll thread; the volatile fields may be read by any thread.
 */
public final class PrefetchGate {

    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final int highRecords;
    private final long highBytes;
    private final int lowRecords;
    private final long lowBytes;

    /** Bytes of polled records not yet durable, including those of revoked partitions still in work. */
    private volatile long inFlightBytes;
    private volatile boolean paused;
    private volatile long pauses;
    private volatile long pausedNanos;
    private long pausedSince;

    public PrefetchGate(int maxInFlight, long maxInFlightBytes, int maxPollRecords, long maxPollBytes, double resumeRatio) {
        if (maxPollRecords > maxInFlight) {
            throw new IllegalArgumentException("max.poll.records (" + maxPollRecords + ") must not exceed sluice.flow.max-in-flight (" + maxInFlight + ")");
        }
        this.maxInFlight = maxInFlight;
        this.maxInFlightBytes = maxInFlightBytes;
        this.highRecords = maxInFlight - maxPollRecords;
        this.highBytes = Math.max(0, maxInFlightBytes - maxPollBytes);
        this.lowRecords = (int) Math.min(highRecords, Math.floor(maxInFlight * resumeRatio));
        this.lowBytes = (long) Math.min(highBytes, Math.floor(maxInFlightBytes * resumeRatio));
    }

    public void added(long bytes) {
        inFlightBytes += bytes;
    }

    public void released(long bytes) {
        inFlightBytes -= bytes;
    }

    /**
     * Re-evaluates the gate for {@code inFlightRecords}; returns +1 when the source must pause now,
     * -1 when it may resume now, 0 when nothing changes.
     */
    public int evaluate(int inFlightRecords) {
        if (!paused && (inFlightRecords > highRecords || inFlightBytes > highBytes)) {
            paused = true;
            pauses++;
            pausedSince = System.nanoTime();
            return 1;
        }
        if (paused && inFlightRecords <= lowRecords && inFlightBytes <= lowBytes) {
            paused = false;
            pausedNanos += System.nanoTime() - pausedSince;
            return -1;
        }
        return 0;
    }

    public boolean paused() {
        return paused;
    }

    public long inFlightBytes() {
        return inFlightBytes;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    /** How often the high mark was hit. */
    public long pauses() {
        return pauses;
    }

    /** Total time spent paused by backpressure, including the current pause. */
    public long pausedNanos() {
        long current = paused ? System.nanoTime() - pausedSince : 0;
        return pausedNanos + current;
    }
}
