package dev.sluice.kafka;

import dev.sluice.offsets.PartitionId;
import dev.sluice.pipeline.FlowMetrics;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.ProgressStore;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the low-water marks of the {@link PartitionBook} and decides when. Runs on the poll
 * thread only, like the consumer and the book it uses.
 *
 * <p>Policy: on {@code sluice.source.commit-interval}, and sooner whenever records are held only by
 * the commit — while the source is paused, or once an eighth of the window is durable but
 * uncommitted (in flight only falls at a commit, so waiting out the interval would stall the
 * source) — at most one commit per {@link #MIN_COMMIT_GAP_NANOS}.
 */
final class OffsetCommitter {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    /** Early commits at most every 5 ms: a gap below durable records cannot thrash the broker. */
    private static final long MIN_COMMIT_GAP_NANOS = 5_000_000;
    /** A callback's commit retries a stray pending wakeup this often (one can land as the callback starts). */
    private static final int CALLBACK_ATTEMPTS = 3;

    private final Consumer<byte[], byte[]> consumer;
    private final PartitionBook book;
    private final FlowMetrics metrics;
    private final long intervalNanos;
    /** Told of every successful commit so it can compact (exactly-once), or null. */
    private final ProgressStore progress;
    /** Poll thread only. */
    private long lastCommitNanos;

    OffsetCommitter(Consumer<byte[], byte[]> consumer, PartitionBook book, FlowMetrics metrics, Duration interval,
            ProgressStore progress) {
        this.consumer = consumer;
        this.book = book;
        this.metrics = metrics;
        this.intervalNanos = interval.toNanos();
        this.progress = progress;
    }

    void commitIfDue(PrefetchGate gate) {
        long sinceLast = System.nanoTime() - lastCommitNanos;
        boolean held = gate.paused() || book.durableUncommitted() >= Math.max(1, gate.window().window() / 8);
        if (sinceLast >= intervalNanos || (held && sinceLast >= MIN_COMMIT_GAP_NANOS)) {
            commitDurable();
        }
    }

    /**
     * While a drain waits for in-flight records: commits the durable prefix on the interval, so a
     * pod killed during a long drain redelivers only what was not durable yet.
     */
    void commitOnInterval() {
        if (System.nanoTime() - lastCommitNanos >= intervalNanos) {
            commitDurable();
        }
    }

    /** Commits every durable prefix not yet committed; true when there was nothing to commit or the broker took it. */
    boolean commitDurable() {
        lastCommitNanos = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = book.committable();
        return offsets.isEmpty() || commit(offsets);
    }

    /**
     * Commits from a rebalance callback (inside poll). A wakeup that was pending when the callback
     * began fails the first attempt; the {@link WakeGuard} keeps new ones out, so a retry succeeds.
     */
    boolean commitInCallback(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
            try {
                return commitOrFail(offsets);
            } catch (WakeupException e) {
                log.debug("stray wakeup in a rebalance callback's commit (attempt {}); retrying", attempt);
            }
        }
        return false;
    }

    private boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            return commitOrFail(offsets);
        } catch (WakeupException e) {
            return false;
        }
    }

    private boolean commitOrFail(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            if (KafkaErrors.isRetriable(e)) {
                metrics.retried("commit", KafkaErrors.causeName(e));
            } else {
                // CommitFailedException and friends: the group moved on; revocation commits what is ours
                log.warn("commit of {} failed: {}", offsets, e.toString());
            }
            return false;
        }
        Map<PartitionId, Long> marks = book.committed(offsets);
        if (progress != null) {
            progress.committed(marks);
        }
        return true;
    }
}
