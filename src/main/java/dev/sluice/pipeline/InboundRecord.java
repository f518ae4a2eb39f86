package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A polled record as the pipeline sees it: bytes, headers and where they came from. Immutable
 * once handed to the dispatcher (the arrays are never written after the poll).
 *
 * @param ref identity for completion and offsets
 * @param key raw key bytes, may be null
 * @param value raw value bytes, may be null (a tombstone)
 * @param timestamp the record's timestamp, epoch milliseconds
 * @param headers the record's headers in their order on the record (dead letters keep them, the
 *     tracing reads {@code traceparent} from them)
 */
public record InboundRecord(RecordRef ref, byte[] key, byte[] value, long timestamp, List<RecordHeader> headers) {

    public InboundRecord {
        headers = List.copyOf(headers);
    }

    /** A record without headers. */
    public InboundRecord(RecordRef ref, byte[] key, byte[] value, long timestamp) {
        this(ref, key, value, timestamp, List.of());
    }

    /**
     * What per-key order is kept for: the key's bytes (by content), or the partition for records
     * without a key. The dispatcher runs one lane per order key and the sink writes each order key
     * on one shard, so records of one order key become durable in offset order.
     */
    public Object orderKey() {
        return key == null ? ref.partition() : new KeyBytes(key);
    }

    /** The last value of header {@code key} as UTF-8, or null when absent (Kafka's "last header wins"). */
    public String lastHeader(String key) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            RecordHeader header = headers.get(i);
            if (header.key().equals(key)) {
                return header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
