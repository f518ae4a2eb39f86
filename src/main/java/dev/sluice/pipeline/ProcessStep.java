package dev.sluice.pipeline;

import java.util.function.UnaryOperator;

/**
 * The pluggable step between validation and the sink (an enrichment call, a lookup). A blocking
 * step (the default) runs on a virtual thread, may block on I/O, and must answer interrupts: that
 * is how an abort cancels it. Records of one key reach it in offset order, one at a time; different
 * keys run concurrently.
 *
 * <p>Throw {@link TransientProcessingException} for a failure that may pass (retried with
 * backoff); any other exception dead-letters the record as {@code invalid}.
 *
 * <p>A step that never waits ({@link #identity()}, or one made with {@link #nonBlocking}) reports
 * {@link #blocks()} false: its job skips the worker threads, and the poll thread decodes and
 * processes each poll's records itself, in offset order, and hands them to the sink in batches (a
 * thread hop per record buys nothing when nothing blocks). Such a step must not block and has no
 * retry: whatever it throws, {@link TransientProcessingException} included, dead-letters the record.
 */
@FunctionalInterface
public interface ProcessStep<T> {

    T apply(T value) throws InterruptedException;

    /** True (the default) when the step may wait (I/O, a lock, a sleep) and so needs a worker thread per record in work. */
    default boolean blocks() {
        return true;
    }

    /** The step of a job that only decodes and writes; non-blocking. */
    static <T> ProcessStep<T> identity() {
        return nonBlocking(value -> value);
    }

    /** A step that computes from the value alone and never waits: it runs on the poll thread, without workers. */
    static <T> ProcessStep<T> nonBlocking(UnaryOperator<T> function) {
        return new ProcessStep<>() {
            @Override
            public T apply(T value) {
                return function.apply(value);
            }

            @Override
            public boolean blocks() {
                return false;
            }
        };
    }
}
