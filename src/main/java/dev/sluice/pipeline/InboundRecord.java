package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;
import java.nio.ByteBuffer;

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

    /**
     * What per-key order is kept for: the key's bytes (by content), or the partition for records
     * without a key. The dispatcher runs one lane per order key and the sink writes each order key
     * on one shard, so records of one order key become durable in offset order.
     */
    public Object orderKey() {
        return key == null ? ref.partition() : ByteBuffer.wrap(key);
    }
}
