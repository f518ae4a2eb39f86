package dev.sluice.testinfra;

import dev.sluice.pipeline.PipelineControl;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Samples the pipeline's in-flight count at a fixed rate while a test runs and keeps the highest
 * value seen: what "in flight never exceeds the bound" is checked against.
 */
public final class InFlightSampler implements AutoCloseable {

    private final AtomicInteger max = new AtomicInteger();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("test-inflight-sampler").daemon(true).factory());

    public InFlightSampler(PipelineControl pipeline, long periodMicros) {
        sampler.scheduleAtFixedRate(() -> max.accumulateAndGet(pipeline.status().inFlight(), Math::max),
                0, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** The highest in-flight count sampled so far. */
    public int max() {
        return max.get();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
