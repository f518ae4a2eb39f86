package dev.sluice.pipeline;

/**
 * One header of a polled record, as the pipeline sees it (no Kafka type). The value array is
 * never written after the poll.
 *
 * @param key header name
 * @param value raw header bytes, may be null
 */
public record RecordHeader(String key, byte[] value) {
}
