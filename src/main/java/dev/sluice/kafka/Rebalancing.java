package dev.sluice.kafka;

import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PrefetchGate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance callbacks, for the classic cooperative protocol and the consumer protocol (KIP-848)
 * alike. The consumer calls them inside {@code poll()}, on the poll thread.
 *
 * <p>On revoke: wait up to {@code sluice.source.revoke-timeout} for the partitions' in-flight
 * records, commit their durable prefix, forget them; records still in work complete later with a
 * stale epoch and are discarded, and the new owner reads them again from the committed offset.
 * On loss (no chance to commit): forget at once. On assign: start a new epoch (exactly-once: claim
 * the partitions first, see {@link Claims}), paused if the source is paused or stopping. While a callback runs, the {@link WakeGuard} keeps wakeups from
 * completions and requests out, so they cannot void the revocation's commit.
 */
final class Rebalancing implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(Rebalancing.class);
    private static final long AWAIT_SLICE_MILLIS = 50;

    private final Consumer<byte[], byte[]> consumer;
    private final PartitionBook book;
    private final PrefetchGate gate;
    private final Completions completions;
    private final Lifecycle lifecycle;
    private final long revokeTimeoutNanos;
    private final OffsetCommitter committer;
    private final WakeGuard wakeGuard;
    private final Claims claims;
    /** True when the run is being halted (a simulated crash): nothing more may be committed. */
    private final java.util.function.BooleanSupplier halted;

    Rebalancing(Consumer<byte[], byte[]> consumer, PartitionBook book, PrefetchGate gate, Completions completions,
            Lifecycle lifecycle, long revokeTimeoutNanos, OffsetCommitter committer, WakeGuard wakeGuard, Claims claims,
            java.util.function.BooleanSupplier halted) {
        this.consumer = consumer;
        this.book = book;
        this.gate = gate;
        this.completions = completions;
        this.lifecycle = lifecycle;
        this.revokeTimeoutNanos = revokeTimeoutNanos;
        this.committer = committer;
        this.wakeGuard = wakeGuard;
        this.claims = claims;
        this.halted = halted;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        wakeGuard.enterCallback();
        try {
            assigned(assigned);
        } finally {
            wakeGuard.leaveCallback();
        }
    }

    private void assigned(Collection<TopicPartition> assigned) {
        Set<TopicPartition> fetchable = claims.assigned(assigned);
        if (gate.paused() || lifecycle.state() != PipelineState.RUNNING) {
            consumer.pause(assigned);
        } else {
            consumer.resume(fetchable);
        }
        log.info("assigned {}", assigned);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        wakeGuard.enterCallback();
        try {
            revoked(revoked);
        } finally {
            wakeGuard.leaveCallback();
        }
    }

    private void revoked(Collection<TopicPartition> revoked) {
        List<TopicPartition> partitions = List.copyOf(revoked);
        boolean mayCommit = !halted.getAsBoolean();
        long waitNanos = lifecycle.state() == PipelineState.ABORTING || !mayCommit ? 0 : revokeTimeoutNanos;
        long deadline = System.nanoTime() + waitNanos;
        try {
            while (book.incomplete(partitions) > 0 && System.nanoTime() < deadline) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                book.absorb(completions.await(Math.max(1, Math.min(AWAIT_SLICE_MILLIS, remainingMillis))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String committed = "nothing to commit";
        if (mayCommit) {
            Map<TopicPartition, OffsetAndMetadata> offsets = book.committable(partitions);
            if (!offsets.isEmpty()) {
                committed = committer.commitInCallback(offsets)
                        ? "committed " + offsets.values().stream().map(OffsetAndMetadata::offset).toList()
                        : "commit FAILED (the new owner re-reads from the last commit)";
            }
        } else {
            committed = "halted: no commit";
        }
        int left = book.revoke(partitions);
        log.info("revoked {}: durable prefix {}, {} records still in work will be discarded", revoked, committed, left);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        int left = book.revoke(lost);
        log.warn("lost {} without a chance to commit; {} records in work will be discarded and redelivered to the new owner",
                lost, left);
    }
}
