package dev.sluice.pipeline;

import java.time.Duration;

/**
 * How operators steer consumption. Requests return at once; the pipeline's own poll thread carries
 * them out. Thread-safe.
 */
public interface PipelineControl {

    PipelineStatus status();

    /** RUNNING → DRAINING; a drain not finished within {@code deadline} turns into an abort. */
    PipelineState drain(Duration deadline);

    /** RUNNING or DRAINING → ABORTING. */
    PipelineState abort();

    /** STOPPED → RUNNING: fetching restarts from the committed offsets. */
    PipelineState resume();

    /** Waits up to {@code timeout} for STOPPED; true if the pipeline is stopped. */
    boolean awaitStopped(Duration timeout) throws InterruptedException;
}
