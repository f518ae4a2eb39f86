package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;

/**
 * A polled record as the pipeline sees it: bytes and where they came from. Immutable once handed
 * to the dispatcher (the arrays are never written after the poll).
 *
 * @param ref identity for completion and offsets
 * @param key raw key bytes, may be null
 * @param value raw value bytes, may be null (a tombstone)
 * @param timestamp the record's timestamp, epoch milliseconds
 */
public record InboundRecord(RecordRef ref, byte[] key, byte[] value, long timestamp) {
}
