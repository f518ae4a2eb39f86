package dev.sluice.pipeline;

/**
 * Decides when the source pauses and resumes fetching, so that records polled and not yet
 * committed never exceed {@code maxInFlight} and the bytes of those not yet durable never exceed
 * {@code maxInFlightBytes} (serialized key plus value; see {@link #admits}).
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
    private volatile long pauses;
    /**
     * Time paused so far and since when the current pause runs, replaced whole by the poll thread so
     * a reader on another thread never combines a new pause with an old start (or none).
     */
    private volatile PauseClock clock = PauseClock.RUNNING;

    /** @param since System.nanoTime the current pause began; meaningless unless {@code paused} */
    private record PauseClock(boolean paused, long since, long accumulatedNanos) {
        static final PauseClock RUNNING = new PauseClock(false, 0, 0);
    }

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
        PauseClock current = clock;
        if (!current.paused() && (inFlightRecords > highRecords || inFlightBytes > highBytes)) {
            pause(current);
            return 1;
        }
        if (current.paused() && inFlightRecords <= lowRecords && inFlightBytes <= lowBytes) {
            clock = new PauseClock(false, 0, current.accumulatedNanos() + (System.nanoTime() - current.since()));
            return -1;
        }
        return 0;
    }

    /**
     * True when a record of {@code bytes} may be handed to the pipeline without exceeding
     * {@code maxInFlightBytes}. One poll can return more than {@code fetch.max.bytes} (buffered
     * responses, several brokers, a batch larger than the limit), so the source checks each record
     * and leaves the rest for a later fetch. A record is always admitted when nothing is in flight,
     * so one larger than the whole bound still moves.
     */
    public boolean admits(long bytes) {
        long current = inFlightBytes;
        return current == 0 || current + bytes <= maxInFlightBytes;
    }

    /** The source cut a poll at the byte bound: pause now (returns true if this started a pause). */
    public boolean pauseAtBound() {
        PauseClock current = clock;
        if (current.paused()) {
            return false;
        }
        pause(current);
        return true;
    }

    private void pause(PauseClock current) {
        pauses++;
        clock = new PauseClock(true, System.nanoTime(), current.accumulatedNanos());
    }

    public boolean paused() {
        return clock.paused();
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
        PauseClock current = clock;
        return current.accumulatedNanos() + (current.paused() ? System.nanoTime() - current.since() : 0);
    }
}
