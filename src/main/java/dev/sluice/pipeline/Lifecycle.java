package dev.sluice.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the pipeline's {@link PipelineState}. Operators request drain, abort and resume
 * here; the poll thread completes DRAINING and ABORTING by moving to STOPPED. Every transition is
 * checked against {@link PipelineState#canMoveTo} under the monitor, so concurrent requests cannot
 * produce a move the state machine does not allow.
 *
 * <p>Thread-safe: state is guarded by {@code this}; readers see it through a volatile field.
 */
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /** Written under {@code this}; read freely. */
    private volatile PipelineState state = PipelineState.STOPPED;
    private final List<BiConsumer<PipelineState, PipelineState>> listeners = new CopyOnWriteArrayList<>();

    public PipelineState state() {
        return state;
    }

    /**
     * Registers a callback run on every transition (from, to), in transition order, on the thread
     * that made it and while holding this lifecycle's monitor: it must be quick and must not wait
     * for another thread that moves the lifecycle.
     */
    public void onTransition(BiConsumer<PipelineState, PipelineState> listener) {
        listeners.add(listener);
    }

    /** Moves to {@code target} if the state machine allows it from the current state. */
    public boolean moveTo(PipelineState target) {
        return move(null, target);
    }

    /** Moves to {@code target} only from {@code expected}. */
    public boolean moveTo(PipelineState expected, PipelineState target) {
        return move(expected, target);
    }

    private boolean move(PipelineState expected, PipelineState target) {
        synchronized (this) {
            PipelineState from = state;
            if ((expected != null && from != expected) || !from.canMoveTo(target)) {
                return false;
            }
            state = target;
            notifyAll();
            // announced under the monitor, so listeners see transitions in the order they happened
            log.info("pipeline {} -> {}", from, target);
            listeners.forEach(listener -> listener.accept(from, target));
            return true;
        }
    }

    /** Waits up to {@code timeout} for the state to become {@code target}; true if it did. */
    public boolean await(PipelineState target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (state != target) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                Duration wait = Duration.ofNanos(remaining);
                wait(Math.max(1, wait.toMillis()));
            }
            return true;
        }
    }
}
