package dev.sluice.pipeline;

/**
 * Decodes and validates a record's bytes. Called concurrently from worker virtual threads, so it
 * must be thread-safe.
 */
@FunctionalInterface
public interface RecordDecoder<T> {

    /** Never throws for bad input: returns {@link Decoded.Rejected} with the reason instead. */
    Decoded<T> decode(byte[] key, byte[] value);
}
