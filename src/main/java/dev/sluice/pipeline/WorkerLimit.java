package dev.sluice.pipeline;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How many records the dispatcher's workers handle at once (decode → validate → process → hand to
 * the sink). {@code fixed}: the configured permits. {@code adaptive}: Netflix concurrency-limits'
 * {@link VegasLimit} behind a {@link WindowedLimit}, between {@code min} and {@code max}.
 *
 * <p>The rule. Every record handled is a sample: the time it took on its worker, and how many
 * workers were busy. Samples are averaged over a window of at least {@link #MIN_WINDOW} and twice
 * the shortest time per record seen in it (at most {@link #MAX_WINDOW}, more than
 * {@link #WINDOW_SAMPLES} samples); each window's average time is compared with the lowest window
 * average seen (the time per record without queueing) and updates the limit once:
 * <ul>
 *   <li>at most 1.1 × the lowest (nothing queues: a blocking call that is not overloaded): the
 *       limit grows by half, so from 16 to 4,000 in about 14 windows — 1.4 s with a 20 ms step;</li>
 *   <li>at most 1.33 ×: it grows by an eighth;</li>
 *   <li>above 2 × (a dependency slowing down under the load, a saturated CPU queueing the workers,
 *       a sink that no longer takes records): it shrinks by a fifth;</li>
 *   <li>in between, or while fewer than half its workers are busy (few keys ready, the in-flight
 *       window full of records waiting for the sink): it holds;</li>
 *   <li>records that take under {@link #MIN_RTT} (a CPU-only step: parse and hand over) are not
 *       samples: such a stage needs no more workers than carrier threads, which the floor covers.</li>
 * </ul>
 * Every 15-30 × limit windows the lowest time is taken afresh from the current window (Vegas's
 * probe), so a dependency that became slower for good is re-measured: after a collapse to the
 * floor that comes within a few windows. What it cannot do: each probe under a dependency that
 * stays overloaded accepts that window's queueing as the new lowest, so over minutes the limit
 * creeps up; {@code max} bounds it. Nor can it see a saturated CPU: the wait for a carrier thread
 * comes before a worker starts its record, outside the sample, so on a CPU-bound host it grows past
 * what the CPU serves (why {@code sluice.flow.workers=fixed} is the default).
 *
 * <p>Thread-safe: {@link #sample} is called by every worker (the library's windows are lock-free
 * and update the limit under a lock once per window); {@link #current} is a volatile read.
 */
public final class WorkerLimit {

    /** Shortest window of samples (the library's floor). */
    static final Duration MIN_WINDOW = Duration.ofMillis(100);
    /** Longest window of samples: a slow step still updates the limit once a second. */
    static final Duration MAX_WINDOW = Duration.ofSeconds(1);
    /** A window updates the limit only with more than this many samples. */
    static final int WINDOW_SAMPLES = 10;
    /** Records handled faster than this are not samples (a CPU-only stage). */
    static final Duration MIN_RTT = Duration.ofNanos(100_000);

    private final int min;
    private final int max;
    /** Null when fixed. */
    private final Limit limit;
    /** Time the last sampled record took, in nanoseconds; written by workers. */
    private volatile long lastNanos;

    private WorkerLimit(int min, int max, Limit limit) {
        this.min = min;
        this.max = max;
        this.limit = limit;
    }

    /** Always {@code permits}. */
    public static WorkerLimit fixed(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("sluice.flow.worker-permits must be at least 1, was " + permits);
        }
        return new WorkerLimit(permits, permits, null);
    }

    /** Starts at {@code min} and moves within [{@code min}, {@code max}] with the stage's latency. */
    public static WorkerLimit adaptive(int min, int max) {
        if (min < 1 || min > max) {
            throw new IllegalArgumentException("sluice.flow.min-worker-permits (" + min
                    + ") must be between 1 and sluice.flow.worker-permits (" + max + ")");
        }
        // queue = limit × (1 - lowest / now): the thresholds are shares of the limit, so the rule
        // reads as ratios of the time per record (1.1, 1.33, 2) whatever the limit
        VegasLimit vegas = VegasLimit.newBuilder()
                .initialLimit(min)
                .maxConcurrency(max)
                .thresholdFunction(limit -> Math.max(1, limit / 10))
                .alphaFunction(limit -> Math.max(2, limit / 4))
                .betaFunction(limit -> Math.max(4, limit / 2))
                .increaseFunction(limit -> limit * 1.125)
                .decreaseFunction(limit -> Math.max(min, limit * 0.8))
                .build();
        return new WorkerLimit(min, max, WindowedLimit.newBuilder()
                .minWindowTime(MIN_WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                .maxWindowTime(MAX_WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                .windowSize(WINDOW_SAMPLES)
                .minRttThreshold(MIN_RTT.toNanos(), TimeUnit.NANOSECONDS)
                .build(vegas));
    }

    /** The limit for these flow settings. */
    public static WorkerLimit of(FlowProperties flow) {
        return flow.workers() == FlowProperties.WorkerMode.ADAPTIVE
                ? adaptive(flow.effectiveMinWorkerPermits(), flow.workerPermits())
                : fixed(flow.workerPermits());
    }

    public boolean adaptive() {
        return limit != null;
    }

    /** Workers that may handle records at once now. */
    public int current() {
        return limit == null ? max : Math.max(min, limit.getLimit());
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    /**
     * One record handled: it took {@code nanos} on a worker, and {@code busy} workers (itself
     * included) were handling records when it started. No-op when fixed.
     */
    public void sample(long startNanos, long nanos, int busy) {
        if (limit != null) {
            lastNanos = nanos;
            limit.onSample(startNanos, nanos, busy, false);
        }
    }

    /** Time the last sampled record took on its worker, in milliseconds (0 when fixed). */
    public double lastMillis() {
        return lastNanos / 1e6;
    }
}
