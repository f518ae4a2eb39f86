package dev.sluice.pipeline;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bounds of the flow between the Kafka source and the sink, and the in-flight window inside them.
 *
 * <p>Sizing (Little's law, L = λ·W): at 40,000 records/s and ~250 ms from poll to commit (batches
 * of 2000 written in ~150 ms, plus the wait for a batch and for the commit) about 10,000 records
 * are in flight; the default bound leaves 2× headroom for bursts and slow batches. The bound must
 * hold several batches per sink thread, or the source pauses while the sink idles (benchmark S1).
 * With {@code window=adaptive} the service measures λ and W itself and pauses the source at
 * L × {@code window-headroom} (see {@link AdaptiveWindow}), so the bound is a ceiling, not the
 * working point.
 *
 * @param maxInFlight records polled and not yet committed never exceed this; at the mark the source
 *     pauses its partitions (default 20000: 2× the steady-state L above)
 * @param maxInFlightBytes serialized key+value bytes of records polled and not yet durable never
 *     exceed this (default 64MB: 20000 records of up to ~3 KB; memory stays flat under any backlog)
 * @param resumeRatio the source resumes once in flight falls to this fraction of the window and of
 *     the byte bound (default 0.5: hysteresis so pause/resume does not flap on every poll)
 * @param workerPermits records in decode/validate/process at once: exactly this many with
 *     {@code workers=fixed} (default 1000: a process step blocking 20 ms sustains 50,000
 *     records/s), the ceiling with {@code workers=adaptive}
 * @param workers {@code fixed} (default): always {@code worker-permits}; {@code adaptive}: the
 *     limit follows the stage's time per record between {@code min-worker-permits} and
 *     {@code worker-permits} (see {@link WorkerLimit}). Not the default: on the benchmark's
 *     CPU-bound 20 ms stage it ramps up for about a second and then overshoots (the CPU queueing
 *     happens before a worker starts, where its samples do not see it); it wins where a step is
 *     slower than 1000 permits cover, and where a dependency slows down under load
 * @param minWorkerPermits the smallest adaptive worker limit, and where it starts; 0 (default)
 *     means 16 or {@code worker-permits} if that is smaller (16: more than the carrier threads of
 *     the machines this runs on, so a CPU-bound step never waits for a permit)
 * @param window {@code adaptive} (default): the source pauses at a window sized from the measured
 *     λ and W, between {@code min-in-flight} and {@code max-in-flight}; {@code fixed}: at
 *     {@code max-in-flight}, as before (λ and W are still measured and reported)
 * @param minInFlight the smallest adaptive window; 0 (default) means a tenth of
 *     {@code max-in-flight} (2000: one full batch). The first run starts at the bound and comes
 *     down from there, a resumed run where the last one left the window
 * @param windowHeadroom the adaptive window is L × this (default 2.0: a burst of twice the measured
 *     traffic, or a W twice as long, is absorbed without pausing)
 * @param windowHysteresis the window comes down only when L × headroom stays this share below it
 *     for three samples in a row (default 0.25), so it does not follow every dip
 * @param windowInterval shortest time between two samples of λ and W (default 500ms; a sample also
 *     waits for twice the last W, so the records a change let in are judged by their commit)
 * @param kneeTolerance under a backlog the adaptive window searches for the smallest window that
 *     keeps the throughput (the knee, see {@link AdaptiveWindow}): a smaller window that keeps the
 *     commit rate within this share of the best one is as good, a growth that raises it by less
 *     buys nothing (default 0.05, 0.01–0.5: above the sample-to-sample noise of a steady run)
 * @param kneeHold how long the window stays at the knee before it searches again, one step up
 *     first (default 15s, 1s–10m: each search spends about one sample below the knee)
 */
@Validated
@ConfigurationProperties("sluice.flow")
public record FlowProperties(
        @DefaultValue("20000") @Min(1) @Max(1_000_000) int maxInFlight,
        @DefaultValue("64MB") DataSize maxInFlightBytes,
        @DefaultValue("0.5") @DecimalMin("0.0") @DecimalMax("0.99") double resumeRatio,
        @DefaultValue("1000") @Min(1) @Max(100_000) int workerPermits,
        @DefaultValue("fixed") WorkerMode workers,
        @DefaultValue("0") @Min(0) @Max(100_000) int minWorkerPermits,
        @DefaultValue("adaptive") WindowMode window,
        @DefaultValue("0") @Min(0) @Max(1_000_000) int minInFlight,
        @DefaultValue("2.0") @DecimalMin("1.0") @DecimalMax("10.0") double windowHeadroom,
        @DefaultValue("0.25") @DecimalMin("0.0") @DecimalMax("0.9") double windowHysteresis,
        @DefaultValue("500ms") @NotNull @DurationMin(millis = 50) @DurationMax(minutes = 1) Duration windowInterval,
        @DefaultValue("0.05") @DecimalMin("0.01") @DecimalMax("0.5") double kneeTolerance,
        @DefaultValue("15s") @NotNull @DurationMin(seconds = 1) @DurationMax(minutes = 10) Duration kneeHold) {

    /** The adaptive worker limit's floor when {@code min-worker-permits} is 0. */
    static final int DEFAULT_MIN_WORKER_PERMITS = 16;

    /** Samples in a row below the hysteresis before the window comes down. */
    static final int SETTLE_SAMPLES = 3;

    /** How the source's pause mark is set. */
    public enum WindowMode { ADAPTIVE, FIXED }

    /** How the number of workers handling records at once is set. */
    public enum WorkerMode { ADAPTIVE, FIXED }

    public FlowProperties {
        if (maxInFlightBytes == null || maxInFlightBytes.toBytes() < 1024) {
            throw new IllegalArgumentException("sluice.flow.max-in-flight-bytes must be at least 1KB, was " + maxInFlightBytes);
        }
        if (minInFlight > maxInFlight) {
            throw new IllegalArgumentException("sluice.flow.min-in-flight (" + minInFlight
                    + ") must not exceed sluice.flow.max-in-flight (" + maxInFlight + ")");
        }
        if (workers == WorkerMode.ADAPTIVE && minWorkerPermits > workerPermits) {
            throw new IllegalArgumentException("sluice.flow.min-worker-permits (" + minWorkerPermits
                    + ") must not exceed sluice.flow.worker-permits (" + workerPermits + ")");
        }
    }

    /** The bounds, with exactly {@code workerPermits} workers and the window settings at their defaults (tests and tools). */
    public static FlowProperties of(int maxInFlight, DataSize maxInFlightBytes, double resumeRatio, int workerPermits) {
        return new FlowProperties(maxInFlight, maxInFlightBytes, resumeRatio, workerPermits, WorkerMode.FIXED, 0,
                WindowMode.ADAPTIVE, 0, 2.0, 0.25, Duration.ofMillis(500), 0.05, Duration.ofSeconds(15));
    }

    /** {@code min-worker-permits}, or 16 (at most {@code worker-permits}) when it is 0. */
    public int effectiveMinWorkerPermits() {
        return minWorkerPermits > 0 ? minWorkerPermits : Math.min(DEFAULT_MIN_WORKER_PERMITS, workerPermits);
    }

    /** {@code min-in-flight}, or a tenth of the bound when it is 0 (before the one-poll floor of {@link #windowSettings}). */
    public int effectiveMinInFlight() {
        return minInFlight > 0 ? minInFlight : Math.max(1, maxInFlight / 10);
    }

    /**
     * The settings of the window rule these properties describe, for a source whose polls return up
     * to {@code onePoll} records: the window is never below one poll, since the source pauses only
     * between polls.
     */
    public AdaptiveWindow.Settings windowSettings(int onePoll) {
        int min = Math.min(maxInFlight, Math.max(effectiveMinInFlight(), onePoll));
        return new AdaptiveWindow.Settings(window == WindowMode.ADAPTIVE, min, maxInFlight, windowHeadroom,
                windowHysteresis, windowInterval.toNanos(), SETTLE_SAMPLES, kneeTolerance, kneeHold.toNanos());
    }
}
