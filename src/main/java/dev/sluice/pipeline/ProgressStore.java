package dev.sluice.pipeline;

import dev.sluice.offsets.AppliedOffsets;
import dev.sluice.offsets.PartitionId;
import java.util.Map;

/**
 * The engine's own record of which source records are durable, kept by the sink in the same
 * transactions as the job's effects (exactly-once mode, DESIGN.md "Exactly-once effects").
 *
 * <p>On assignment the source {@link #claim claims} its partitions: each claim raises the
 * partition's owner epoch, which fences every transaction of an earlier owner that has not
 * committed yet, and returns what is already durable, so the source skips it. Implementations
 * are thread-safe.
 */
public interface ProgressStore {

    /**
     * Claims the partitions of {@code positions} for this member and returns, for each, its new
     * owner epoch and the records already durable at or above its position (the group's committed
     * offset: only what was in flight is read). Blocking, bounded by the store's lock and connection
     * timeouts; the source retries a failed claim and keeps the partitions paused meanwhile.
     */
    Map<PartitionId, Claim> claim(Map<PartitionId, Long> positions) throws TransientSinkException;

    /**
     * The group committed {@code offsets} to Kafka: every record below them is durable or
     * dead-lettered, so what the store keeps below them may be compacted. Non-blocking; any thread.
     */
    void committed(Map<PartitionId, Long> offsets);

    /**
     * One partition's claim.
     *
     * @param epoch the owner epoch this member now holds; records polled under it carry it, and a
     *     transaction holding one whose partition was claimed again since is rolled back
     * @param applied what is durable already
     */
    record Claim(long epoch, AppliedOffsets applied) {
    }
}
