package dev.sluice.offsets;

/**
 * Identifies one polled record for the whole of its life in the pipeline.
 *
 * @param partition where it was read
 * @param epoch the assignment of {@code partition} it was polled under; a completion carrying an
 *     older epoch than the partition's current one belongs to a revoked assignment and is discarded
 * @param offset its offset
 * @param bytes serialized key plus value size, released from the byte bound when it completes
 */
public record RecordRef(PartitionId partition, long epoch, long offset, int bytes) {
}
