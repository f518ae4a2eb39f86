package dev.sluice.pipeline;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Within the bound the source pauses at the current <em>window</em>, which an
 * {@link AdaptiveWindow} sets from the commit rate and the time from poll to commit that the
 * source reports through {@link #committed}: the high mark is the lower of the window and the
 * bound's mark, the low mark {@code resumeRatio} of the window. In flight may pass the window by
 * the one poll made just below it, never the bound.
 *
 * <p>Written only by the poll thread; the volatile fields may be read by any thread.
 */
public final class PrefetchGate {

    private static final Logger log = LoggerFactory.getLogger(PrefetchGate.class);

    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final int maxPollRecords;
    private final double resumeRatio;
    private final long highBytes;
    private final long lowBytes;
    private final LongSupplier nanoClock;
    /** Poll thread only; null: the window is the bound and nothing is measured. */
    private final AdaptiveWindow rule;
    /** Told each committed record's time from durable to committed (nanoseconds). */
    private final LongConsumer commitLatency;
    /** Poll thread only. */
    private int highRecords;
    /** Poll thread only. */
    private int lowRecords;
    /** Poll thread only: records committed, and their summed time from poll to commit. */
    private long committedRecords;
    private long committedInFlightNanos;
    /** The window and why, published by the poll thread. */
    private volatile AdaptiveWindow.Decision window;

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

    /** A gate whose window is the bound, measuring nothing. */
    public PrefetchGate(int maxInFlight, long maxInFlightBytes, int maxPollRecords, long maxPollBytes, double resumeRatio) {
        this(maxInFlight, maxInFlightBytes, maxPollRecords, maxPollBytes, resumeRatio, null, nanos -> { });
    }

    /**
     * @param rule sets the window from what {@link #committed} reports; its maximum must be {@code maxInFlight}
     * @param commitLatency told each committed record's time from durable to committed, in nanoseconds
     */
    public PrefetchGate(int maxInFlight, long maxInFlightBytes, int maxPollRecords, long maxPollBytes, double resumeRatio,
            AdaptiveWindow rule, LongConsumer commitLatency) {
        this(maxInFlight, maxInFlightBytes, maxPollRecords, maxPollBytes, resumeRatio, rule, commitLatency, System::nanoTime);
    }

    /** Like the public constructor, on {@code nanoClock} instead of System.nanoTime (tests). */
    PrefetchGate(int maxInFlight, long maxInFlightBytes, int maxPollRecords, long maxPollBytes, double resumeRatio,
            AdaptiveWindow rule, LongConsumer commitLatency, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        if (maxPollRecords > maxInFlight) {
            throw new IllegalArgumentException("max.poll.records (" + maxPollRecords + ") must not exceed sluice.flow.max-in-flight (" + maxInFlight + ")");
        }
        if (rule != null && rule.settings().max() != maxInFlight) {
            throw new IllegalArgumentException("the window's maximum must be sluice.flow.max-in-flight (" + maxInFlight + ")");
        }
        this.maxInFlight = maxInFlight;
        this.maxInFlightBytes = maxInFlightBytes;
        this.maxPollRecords = maxPollRecords;
        this.resumeRatio = resumeRatio;
        this.rule = rule;
        this.commitLatency = commitLatency;
        this.highBytes = Math.max(0, maxInFlightBytes - maxPollBytes);
        this.lowBytes = (long) Math.min(highBytes, Math.floor(maxInFlightBytes * resumeRatio));
        applyWindow(rule == null ? new AdaptiveWindow.Decision(maxInFlight, AdaptiveWindow.Reason.FIXED, 0, 0, 0) : rule.current());
    }

    private void applyWindow(AdaptiveWindow.Decision decision) {
        int records = decision.window();
        highRecords = Math.min(records, maxInFlight - maxPollRecords);
        lowRecords = (int) Math.min(highRecords, Math.floor(records * resumeRatio));
        window = decision;
    }

    /**
     * A commit forgot a record that was {@code inFlightNanos} in flight (poll to commit) and
     * {@code durableToCommitNanos} durable before the commit. Poll thread only.
     */
    public void committed(long inFlightNanos, long durableToCommitNanos) {
        committedRecords++;
        committedInFlightNanos += inFlightNanos;
        commitLatency.accept(durableToCommitNanos);
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
        if (rule != null) {
            AdaptiveWindow.Decision decision = rule.observe(nanoClock.getAsLong(), committedRecords, committedInFlightNanos, pausedNanos());
            if (decision != window) {
                if (decision.window() != window.window() && log.isDebugEnabled()) {
                    log.debug("window {} -> {} records ({}): λ {}/s, W {} ms, L {}", window.window(), decision.window(),
                            decision.reason(), Math.round(decision.arrivalRate()), Math.round(decision.timeInSystemMillis()), decision.needed());
                }
                applyWindow(decision);
            }
        }
        PauseClock current = clock;
        if (!current.paused() && (inFlightRecords > highRecords || inFlightBytes > highBytes)) {
            pause(current);
            return 1;
        }
        if (current.paused() && inFlightRecords <= lowRecords && inFlightBytes <= lowBytes) {
            clock = new PauseClock(false, 0, current.accumulatedNanos() + (nanoClock.getAsLong() - current.since()));
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
        clock = new PauseClock(true, nanoClock.getAsLong(), current.accumulatedNanos());
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

    /** The smallest window (the bound when the window is not adaptive). */
    public int minWindow() {
        return rule == null || !rule.settings().adaptive() ? maxInFlight : rule.settings().min();
    }

    /** The window the source pauses at now, why, and the λ and W it was set from. */
    public AdaptiveWindow.Decision window() {
        return window;
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
        return current.accumulatedNanos() + (current.paused() ? nanoClock.getAsLong() - current.since() : 0);
    }
}
