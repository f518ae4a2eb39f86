package dev.sluice.pipeline;

import java.time.Duration;
import java.util.function.BiConsumer;

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

    /**
     * Registers a callback told when a run fails: a fatal error on the poll thread or a stage's
     * thread, after which the run aborts (committing its durable prefix). Called on the failing
     * thread; must be quick.
     */
    void onFailure(Failures.Listener listener);

    /** Registers a callback run on every lifecycle transition (see {@link Lifecycle#onTransition}). */
    void onTransition(BiConsumer<PipelineState, PipelineState> listener);
}
