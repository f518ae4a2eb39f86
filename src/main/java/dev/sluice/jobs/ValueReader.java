package dev.sluice.jobs;

import tools.jackson.databind.JsonNode;

/**
 * Reads a record value's bytes into a tree whose fields the columns' JSON Pointers address. The
 * JSON reader runs in the decoder; a reader that may block (Avro, fetching a writer schema from the
 * registry) runs in the job's process step instead, so it must answer interrupts.
 *
 * <p>The tree's conventions, which the conversions rely on: decimals as decimal nodes, bytes as
 * base64 text (or binary nodes), timestamps as epoch milliseconds. Implementations are
 * thread-safe.
 */
@FunctionalInterface
public interface ValueReader {

    /**
     * The value's tree. Throws {@link IllegalArgumentException} for bytes that are not a value of
     * the format (the record is dead-lettered with the message), or
     * {@link dev.sluice.pipeline.TransientProcessingException} for a failure that may pass (a
     * registry outage; the record is retried).
     */
    JsonNode read(byte[] value);
}
