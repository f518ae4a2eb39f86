package dev.sluice.pipeline;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How many records the dispatcher's workers handle at once (decode → validate → process → hand to
 * the sink). {@code fixed}: the configured permits. {@code adaptive}: Netflix concurrency-limits'
 * {@link Gradient2Limit} behind a {@link WindowedLimit}, between {@code min} and {@code max}.
 *
 * <p>The rule. Every record handled is a sample: the time it took on its worker, and how many
 * workers were busy. Samples are averaged over a window of at least {@link #MIN_WINDOW} and twice
 * the shortest time per record seen in it (at most {@link #MAX_WINDOW}, at least
 * {@link #WINDOW_SAMPLES} samples); each window updates the limit once:
 * <ul>
 *   <li>while the window's average stays within {@link #RTT_TOLERANCE} × its long-run average
 *       (a blocking call that is not overloaded), more workers mean more throughput: the limit
 *       grows by about {@code smoothing × queue share} = 12.5 % per window, so from 16 to 1,000 in
 *       about 35 windows (3.5 s for a 20 ms step, 35 s for a 1 s one);</li>
 *   <li>when the average rises above that (a dependency slowing down under the load, a saturated
 *       CPU queueing the workers, a sink that no longer takes records), more workers only queue:
 *       the limit shrinks, by up to 12.5 % per window;</li>
 *   <li>while fewer than half the limit's workers are busy (not enough keys ready, the in-flight
 *       window full of records waiting for the sink), the limit holds: an idle stage neither earns
 *       nor loses permits;</li>
 *   <li>records that take under {@link #MIN_RTT} (a CPU-only step: parse and hand over) are not
 *       samples: such a stage needs no more workers than carrier threads, which the floor covers.</li>
 * </ul>
 * What it cannot do: Gradient2's long-run average follows a sustained rise (over its long window,
 * {@link #LONG_WINDOW} windows), so under a dependency that stays overloaded for minutes the limit
 * creeps up again, slowly; {@code max} bounds it. A fixed limit is {@code sluice.flow.workers=fixed}.
 *
 * <p>Thread-safe: {@link #sample} is called by every worker (the library's windows are lock-free
 * and update the limit under a lock once per window); {@link #current} is a volatile read.
 */
public final class WorkerLimit {

    /** Tolerated rise of the time per record over its long-run average before the limit shrinks. */
    static final double RTT_TOLERANCE = 1.5;
    /** Shortest window of samples (the library's floor). */
    static final Duration MIN_WINDOW = Duration.ofMillis(100);
    /** Longest window of samples: a slow step still updates the limit once a second. */
    static final Duration MAX_WINDOW = Duration.ofSeconds(1);
    /** A window updates the limit only with more than this many samples. */
    static final int WINDOW_SAMPLES = 10;
    /** Records handled faster than this are not samples (a CPU-only stage). */
    static final Duration MIN_RTT = Duration.ofNanos(100_000);
    /** Windows in Gradient2's long-run average. */
    static final int LONG_WINDOW = 600;
    /** Per window the limit may grow by its queue share times the smoothing: 0.25 × 0.5 = 12.5 %. */
    static final double QUEUE_SHARE = 0.25;
    static final double SMOOTHING = 0.5;

    private final int min;
    private final int max;
    /** Null when fixed. */
    private final Gradient2Limit gradient;
    /** Feeds {@code gradient} one averaged sample per window; null when fixed. */
    private final Limit windowed;

    private WorkerLimit(int min, int max, Gradient2Limit gradient) {
        this.min = min;
        this.max = max;
        this.gradient = gradient;
        this.windowed = gradient == null ? null : WindowedLimit.newBuilder()
                .minWindowTime(MIN_WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                .maxWindowTime(MAX_WINDOW.toNanos(), TimeUnit.NANOSECONDS)
                .windowSize(WINDOW_SAMPLES)
                .minRttThreshold(MIN_RTT.toNanos(), TimeUnit.NANOSECONDS)
                .build(gradient);
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
        return new WorkerLimit(min, max, Gradient2Limit.newBuilder()
                .initialLimit(min)
                .minLimit(min)
                .maxConcurrency(max)
                .rttTolerance(RTT_TOLERANCE)
                .queueSizeFunction(limit -> Math.max(4, (int) (limit * QUEUE_SHARE)))
                .smoothing(SMOOTHING)
                .longWindow(LONG_WINDOW)
                .build());
    }

    /** The limit for these flow settings. */
    public static WorkerLimit of(FlowProperties flow) {
        return flow.workers() == FlowProperties.WorkerMode.ADAPTIVE
                ? adaptive(flow.effectiveMinWorkerPermits(), flow.workerPermits())
                : fixed(flow.workerPermits());
    }

    public boolean adaptive() {
        return gradient != null;
    }

    /** Workers that may handle records at once now. */
    public int current() {
        return gradient == null ? max : gradient.getLimit();
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
        if (windowed != null) {
            windowed.onSample(startNanos, nanos, busy, false);
        }
    }

    /** Time the last sampled record took on its worker, in milliseconds (0 when fixed). */
    public double lastMillis() {
        return gradient == null ? 0 : gradient.getLastRtt(TimeUnit.MICROSECONDS) / 1000.0;
    }

    /** The long-run average time per record the limit compares against, in milliseconds (0 when fixed). */
    public double baselineMillis() {
        return gradient == null ? 0 : gradient.getRttNoLoad(TimeUnit.MICROSECONDS) / 1000.0;
    }
}
