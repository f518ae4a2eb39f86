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
    Map<PartitionId, Claim> claim(Map<PartitionId, Long> positions, ClaimAbort abort) throws TransientSinkException;

    /** A claim no other thread cuts short (tests and tools). */
    default Map<PartitionId, Claim> claim(Map<PartitionId, Long> positions) throws TransientSinkException {
        return claim(positions, new ClaimAbort());
    }

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

    /**
     * Lets another thread cut a claim short: an abort must not wait for a claim blocked on a lock
     * or a silent database. One per run; once aborted it stays aborted, and every claim made with it
     * afterwards fails at once. Thread-safe.
     */
    final class ClaimAbort {

        private volatile boolean aborted;
        /** How to cut the claim in progress short; null while none runs. */
        private volatile Runnable cut;

        /** Cuts the claim in progress short (it fails with a transient error) and every later one. Any thread. */
        public void abort() {
            aborted = true;
            Runnable current = cut;
            if (current != null) {
                current.run();
            }
        }

        public boolean aborted() {
            return aborted;
        }

        /**
         * The claiming thread registers how to cut its claim short ({@code null} once it is over); an
         * abort that came first cuts it at once. An abort racing the registration may cut twice.
         */
        public void whileClaiming(Runnable cutShort) {
            cut = cutShort;
            if (cutShort != null && aborted) {
                cutShort.run();
            }
        }
    }
}
