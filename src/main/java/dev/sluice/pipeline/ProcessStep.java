package dev.sluice.pipeline;

/**
 * The pluggable step between validation and the sink (an enrichment call, a lookup). It runs on a
 * virtual thread, may block on I/O, and must answer interrupts: that is how an abort cancels it.
 * Records of one key reach it in offset order, one at a time; different keys run concurrently.
 *
 * <p>Throw {@link TransientProcessingException} for a failure that may pass (retried with
 * backoff); any other exception dead-letters the record as {@code invalid}.
 */
@FunctionalInterface
public interface ProcessStep<T> {

    T apply(T value) throws InterruptedException;

    static <T> ProcessStep<T> identity() {
        return value -> value;
    }
}
