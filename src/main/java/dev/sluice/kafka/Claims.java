package dev.sluice.kafka;

import dev.sluice.offsets.PartitionId;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.ProgressStore;
import dev.sluice.pipeline.ProgressStore.Claim;
import dev.sluice.pipeline.TransientSinkException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims assigned partitions in the {@link ProgressStore} before any of their records is polled
 * (exactly-once mode): a claim raises the partition's owner epoch, which fences the previous
 * owner's uncommitted transactions, and reads what is durable already; the source then seeks past
 * the durable prefix and skips the rest of it. The position sought to is durable, so it is handed
 * to the {@link PartitionBook} as fetched: the {@link OffsetCommitter} commits it like any low-water
 * mark, and a quiet partition whose database was ahead of Kafka (offsets reset backwards, a commit
 * lost after the transactions) shows no lag and lets its progress rows be compacted, although none
 * of its records is ever polled. A partition stays paused until its claim succeeds;
 * a failed claim (database down) is retried with backoff, and so is a partition whose owner row
 * another transaction holds (the claim skips it and claims the others: see PostgresProgress#CLAIM),
 * from the poll loop, which keeps polling meanwhile so the group does not rebalance. A partition fenced by a later claim while Kafka still assigns it here is claimed again
 * the same way once its re-claim backoff passed ({@code sluice.delivery.reclaim-backoff}); its
 * consumer position was moved back to its low-water mark at the fence, so the claim reads from
 * there. In at-least-once mode (no store) an assigned partition is the member's at once.
 *
 * <p>Poll thread only, like the consumer and the book; {@link #abort} from any thread.
 */
final class Claims {

    private static final Logger log = LoggerFactory.getLogger(Claims.class);

    private final Consumer<byte[], byte[]> consumer;
    private final PartitionBook book;
    /** Null in at-least-once mode. */
    private final ProgressStore store;
    private final FlowMetrics metrics;
    /** Cuts a claim in progress short when the run aborts; thread-safe. */
    private final ProgressStore.ClaimAbort abort = new ProgressStore.ClaimAbort();

    Claims(Consumer<byte[], byte[]> consumer, PartitionBook book, ProgressStore store, FlowMetrics metrics) {
        this.consumer = consumer;
        this.book = book;
        this.store = store;
        this.metrics = metrics;
    }

    /** In the assignment callback: returns the partitions that may be fetched now (claimed, or at-least-once). */
    Set<TopicPartition> assigned(Collection<TopicPartition> partitions) {
        if (store == null) {
            partitions.forEach(book::assign);
            return Set.copyOf(partitions);
        }
        partitions.forEach(book::awaitClaim);
        consumer.pause(partitions);
        return attempt(book.claimsDue());
    }

    /** Claims (again) the partitions whose backoff passed; returns the partitions claimed now. */
    Set<TopicPartition> retryIfDue() {
        if (store == null || !book.anyUnowned()) {
            return Set.of();
        }
        return attempt(book.claimsDue());
    }

    /**
     * The run aborts: the claim in progress (blocked on a lock, a silent database) fails now, and no
     * further claim is tried, so the abort is bounded by {@code sluice.shutdown.abort-timeout}. Any thread.
     */
    void abort() {
        abort.abort();
    }

    private Set<TopicPartition> attempt(Set<TopicPartition> pending) {
        if (pending.isEmpty() || abort.aborted()) {
            return Set.of();
        }
        Map<PartitionId, TopicPartition> byId = new HashMap<>();
        Map<PartitionId, Long> positions = new HashMap<>();
        try {
            for (TopicPartition partition : pending) {
                if (abort.aborted()) {
                    return Set.of();
                }
                PartitionId id = new PartitionId(partition.topic(), partition.partition());
                byId.put(id, partition);
                // the group's committed offset (or the reset position), or where a fence left it: the claim reads only what is above it
                positions.put(id, consumer.position(partition, OffsetCommitter.COMMIT_TIMEOUT));
            }
            Map<PartitionId, Claim> claims = store.claim(positions, abort);
            Set<TopicPartition> claimed = new LinkedHashSet<>();
            StringBuilder report = new StringBuilder();
            claims.forEach((id, claim) -> {
                TopicPartition partition = byId.get(id);
                if (partition == null) {
                    return;
                }
                long from = claim.applied().resumeFrom(positions.get(id));
                PartitionOwnership.Ownership before = book.ownershipOf(partition);
                book.claimed(partition, claim.epoch(), claim.applied(), from);
                if (from != positions.get(id)) {
                    consumer.seek(partition, from);
                    // durable by definition: the commit path commits it although a quiet partition polls nothing
                    book.fetchedTo(partition, from);
                }
                claimed.add(partition);
                report.append(' ').append(id).append("@epoch ").append(claim.epoch()).append(" from ").append(from)
                        .append(claim.applied().appliedAbove() > 0 ? " (" + claim.applied().appliedAbove() + " durable above)" : "")
                        .append(before != null && before.fences() > 0 && before instanceof PartitionOwnership.Claiming c
                                ? " (again after a fence; not owned for " + (System.nanoTime() - c.sinceNanos()) / 1_000_000 + " ms)"
                                : "");
            });
            if (!claimed.isEmpty()) {
                log.info("claimed{}", report);
            }
            Set<TopicPartition> missing = new LinkedHashSet<>(pending);
            missing.removeAll(claimed);
            if (!missing.isEmpty()) {
                // their owner rows are held by another transaction: a previous owner's, committing now, or a
                // lost node's, until sluice.database.idle-in-transaction-timeout ends its session
                metrics.retried("claim", "owner-row-locked");
                failed(missing, "their owner rows are locked by another transaction (a lost node's session holds them"
                        + " until sluice.database.idle-in-transaction-timeout ends it)");
            }
            return claimed;
        } catch (TransientSinkException | KafkaException e) {
            metrics.retried("claim", e instanceof TransientSinkException t ? t.causeName() : KafkaErrors.causeName(e));
            failed(pending, e.getMessage());
            return Set.of();
        }
    }

    private void failed(Set<TopicPartition> pending, String reason) {
        int failures = 0;
        for (TopicPartition partition : pending) {
            failures = Math.max(failures, book.claimFailed(partition));
        }
        if (failures == 1 || failures % 10 == 0) {
            long dueInMillis = pending.stream().map(book::ownershipOf)
                    .mapToLong(o -> o instanceof PartitionOwnership.Claiming c ? c.dueNanos() - System.nanoTime() : 0)
                    .max().orElse(0) / 1_000_000;
            log.warn("claim of {} failed (attempt {}: {}); the partitions stay paused, retrying in {} ms", pending, failures,
                    reason, Math.max(0, dueInMillis));
        }
    }
}
