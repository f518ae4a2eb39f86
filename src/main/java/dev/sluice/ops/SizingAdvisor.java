package dev.sluice.ops;

import dev.sluice.pipeline.FlowProperties;
import dev.sluice.pipeline.PipelineControl;
import dev.sluice.pipeline.PipelineStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Suggests the in-flight bound from live numbers by Little's law: L = λ·W, with λ the observed
 * arrival rate (records made durable per second) and W the observed time in system (the mean of
 * {@code sluice.latency}), plus headroom for bursts. Rates are measured between two calls to
 * {@link #advice()}, at least a second apart; the first call reports zeros.
 *
 * <p>Thread-safe: the sampling state is guarded by {@code this}.
 */
@Component
class SizingAdvisor {

    static final double HEADROOM = 2.0;

    private final MeterRegistry registry;
    private final FlowProperties flow;
    private final PipelineControl pipeline;
    /** Guarded by {@code this}. */
    private double lastCount;
    private long lastNanos;
    private double lastLatencyTotal;
    private long lastLatencyCount;
    private Advice last;

    SizingAdvisor(MeterRegistry registry, FlowProperties flow, PipelineControl pipeline) {
        this.registry = registry;
        this.flow = flow;
        this.pipeline = pipeline;
        this.last = new Advice(0, 0, 0, flow.maxInFlight(), "no traffic observed yet");
    }

    /**
     * @param arrivalRate records per second made durable since the previous sample
     * @param timeInSystemMillis mean time from record timestamp to durable write in that window
     * @param suggestedMaxInFlight λ·W × headroom
     * @param configuredMaxInFlight sluice.flow.max-in-flight
     */
    record Advice(double arrivalRate, double timeInSystemMillis, long suggestedMaxInFlight, int configuredMaxInFlight,
            String note) {
    }

    synchronized Advice advice() {
        long now = System.nanoTime();
        double count = records();
        Timer latency = registry.find("sluice.latency").timer();
        double latencyTotal = latency == null ? 0 : latency.totalTime(TimeUnit.MILLISECONDS);
        long latencyCount = latency == null ? 0 : latency.count();
        double seconds = (now - lastNanos) / 1e9;
        if (lastNanos != 0 && seconds >= 1.0) {
            double rate = (count - lastCount) / seconds;
            long samples = latencyCount - lastLatencyCount;
            double w = samples == 0 ? 0 : (latencyTotal - lastLatencyTotal) / samples;
            long suggested = (long) Math.ceil(rate * (w / 1000.0) * HEADROOM);
            String note = rate == 0 ? "no records made durable in the last " + Math.round(seconds) + " s"
                    : suggested > flow.maxInFlight() ? "bound below λ·W×" + HEADROOM + ": the source pauses; raise it if the database keeps up"
                    : "bound covers λ·W×" + HEADROOM + "; a much larger bound only adds latency and memory";
            last = new Advice(round(rate), round(w), suggested, flow.maxInFlight(), note);
        }
        if (lastNanos == 0 || seconds >= 1.0) {
            lastNanos = now;
            lastCount = count;
            lastLatencyTotal = latencyTotal;
            lastLatencyCount = latencyCount;
        }
        return last;
    }

    /** Records made durable so far (written or duplicate), from the pipeline's own totals. */
    private double records() {
        PipelineStatus.Totals totals = pipeline.status().totals();
        return totals.written() + totals.duplicates();
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
