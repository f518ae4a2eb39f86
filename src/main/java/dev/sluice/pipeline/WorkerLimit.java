package dev.sluice.pipeline;

import com.netflix.concurrency.limits.limit.Gradient2Limit;
import java.util.concurrent.TimeUnit;

/**
 * How many records the dispatcher's workers handle at once (decode → validate → process → hand to
 * the sink). {@code fixed}: the configured permits. {@code adaptive}: Netflix concurrency-limits'
 * {@link Gradient2Limit}, fed one sample per record (the time a worker spent on it), between
 * {@code min} and {@code max}.
 *
 * <p>Why a gradient on latency: while the stage's time per record stays at its long-run average
 * (a blocking call that is not overloaded), more workers mean more throughput, and the limit grows
 * by a few permits per record handled — so by a share of itself per stage latency, doubling in a
 * few round trips. When the time per record rises above {@code 1.5 ×} its long-run average
 * (a dependency that slows down under the load, a CPU that is saturated and queues the workers, a
 * sink that no longer takes records), more workers only queue, and the limit shrinks towards what
 * the stage sustains. A limit that is not used (fewer than half its workers busy) does not move:
 * an idle stage neither earns nor loses permits.
 *
 * <p>Thread-safe: {@link #sample} is called by every worker ({@code Gradient2Limit} is synchronized
 * internally); {@link #current} is a volatile read.
 */
public final class WorkerLimit {

    /** Tolerated rise of the time per record over its long-run average before the limit shrinks. */
    static final double RTT_TOLERANCE = 1.5;

    private final int min;
    private final int max;
    /** Null when fixed. */
    private final Gradient2Limit gradient;

    private WorkerLimit(int min, int max, Gradient2Limit gradient) {
        this.min = min;
        this.max = max;
        this.gradient = gradient;
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
        if (gradient != null) {
            gradient.onSample(startNanos, nanos, busy, false);
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
