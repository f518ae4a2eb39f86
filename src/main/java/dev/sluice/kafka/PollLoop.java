package dev.sluice.kafka;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.StopReport;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of consumption, from subscribe to STOPPED, on the platform thread {@code sluice-poll}.
 * That thread alone touches the {@link org.apache.kafka.clients.consumer.Consumer}, the
 * {@link PartitionBook}, the {@link OffsetCommitter} and the {@link StopSequence}; workers hand
 * completions back through the run's completions queue, which wakes a blocked poll (through the
 * {@link WakeGuard}). Each loop: absorb completions, then per state — RUNNING: commit what is due,
 * apply the prefetch gate, poll, dispatch; DRAINING: a drain step; ABORTING or halted: end.
 */
final class PollLoop {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    /** Poll thread only. */
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    /** Poll thread only. */
    private final PartitionBook book;
    /** Poll thread only. */
    private final OffsetCommitter committer;
    /** Poll thread only. */
    private final StopSequence stop;
    /** Poll thread only. */
    private final Claims claims;
    private final RunParts parts;
    private final PrefetchGate gate;
    private final Lifecycle lifecycle;
    private final WakeGuard wakeGuard;
    private final Supplier<StopRequest> request;
    private final Thread thread;
    /** Set by {@link #halt} from any thread, read by the poll thread. */
    private volatile boolean halted;
    /** Published by the poll thread for readers (status, gauges). */
    private volatile Map<String, PartitionStatus> partitionView = Map.of();
    /** Published by the poll thread for readers. */
    private volatile int inFlightView;
    /** Published by the poll thread for readers. */
    private volatile long oldestInFlightNanos = Long.MAX_VALUE;
    /** Published by the poll thread for readers (gauges): assigned partitions per ownership state. */
    private volatile Map<PartitionOwnership.State, Integer> ownershipView = Map.of();

    PollLoop(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, RunParts parts, PrefetchGate gate,
            Lifecycle lifecycle, Supplier<StopRequest> request, Consumer<StopReport> onStopped) {
        this.consumer = consumer;
        this.book = new PartitionBook(gate, new PartitionOwnership(
                failures -> parts.backoff().delay(failures).toNanos(), parts.reclaimBackoff()));
        this.parts = parts;
        this.gate = gate;
        this.lifecycle = lifecycle;
        this.request = request;
        this.wakeGuard = new WakeGuard(consumer);
        this.committer = new OffsetCommitter(consumer, book, parts.metrics(), parts.source().commitInterval(), parts.progress());
        this.claims = new Claims(consumer, book, parts.progress(), parts.metrics());
        this.stop = new StopSequence(consumer, book, parts, committer, lifecycle, request, onStopped, this::publishView);
        this.thread = Thread.ofPlatform().name("sluice-poll").daemon(true).unstarted(this::run);
        parts.completions().setWaker(wakeGuard::wake);
    }

    void start() {
        thread.start();
    }

    /** Makes a blocked poll return now, so a state change or completion is seen at once. Any thread. */
    void wake() {
        wakeGuard.wake();
    }

    /** The run aborts: a claim in progress on the poll thread fails now instead of at its timeout. Any thread. */
    void abortClaims() {
        claims.abort();
    }

    /** Test hook for a crash: stops without any further commit, as if the process died. Any thread. */
    void halt() {
        halted = true;
        wakeGuard.wake();
    }

    Map<String, PartitionStatus> partitionView() {
        return partitionView;
    }

    int inFlight() {
        return inFlightView;
    }

    /** Assigned partitions in {@code state}, as of the last poll. Any thread. */
    int partitionsIn(PartitionOwnership.State state) {
        return ownershipView.getOrDefault(state, 0);
    }

    long oldestInFlightMillis() {
        long since = oldestInFlightNanos;
        return since == Long.MAX_VALUE ? 0 : (System.nanoTime() - since) / 1_000_000;
    }

    /** Waits up to {@code timeout} for the poll thread to end; true if it did. */
    boolean join(java.time.Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(parts.source().topic()), new Rebalancing(consumer, book, gate, parts.completions(),
                    lifecycle, parts.source().revokeTimeout().toNanos(), committer, wakeGuard, claims, () -> halted));
            parts.sinkStage().start();
            while (true) {
                PipelineState state = lifecycle.state();
                book.absorb(parts.completions().drain());
                giveUpFenced();
                if (halted) {
                    stop.halt();
                    return;
                }
                switch (state) {
                    case ABORTING -> {
                        stop.abort();
                        return;
                    }
                    case DRAINING -> {
                        if (stop.drainStep()) {
                            return;
                        }
                    }
                    case RUNNING -> {
                        committer.commitIfDue(gate);
                        resumeIfOpen(claims.retryIfDue());
                        applyGate();
                    }
                    case STOPPED -> { }
                }
                pollOnce(state);
            }
        } catch (Throwable error) {
            log.error("consumption failed; aborting and committing the durable prefix", error);
            parts.failures().failed("poll", error);
            lifecycle.moveTo(PipelineState.ABORTING);
            try {
                stop.abort();
            } catch (Throwable secondary) {
                log.error("abort after the failure failed too; nothing more is committed", secondary);
            }
        } finally {
            stop.repairIfUnfinished();
        }
    }

    private void pollOnce(PipelineState stateSeen) {
        ConsumerRecords<byte[], byte[]> records;
        wakeGuard.enterPoll();
        try {
            // a request that came before the guard opened found nothing to wake: look again (not for
            // completions: under load one is nearly always pending, and skipping would starve the poll)
            if (lifecycle.state() != stateSeen || halted) {
                return;
            }
            records = consumer.poll(parts.source().pollTimeout());
        } catch (WakeupException e) {
            return;
        } catch (KafkaException e) {
            if (!KafkaErrors.isRetriable(e)) {
                throw e;
            }
            parts.metrics().retried("poll", KafkaErrors.causeName(e));
            log.warn("poll failed ({}); retrying", e.toString());
            return;
        } finally {
            wakeGuard.leavePoll();
        }
        dispatch(records);
        // every poll, empty ones too: the oldest in-flight age must keep moving while paused
        publishView();
    }

    /**
     * Hands the poll's records to the dispatcher in offset order per partition. At the byte bound the
     * poll is cut: each partition not handed over completely is sought back to its first record not
     * handed over (fetched again after the resume) and the source pauses, so the bytes in flight
     * never exceed {@code sluice.flow.max-in-flight-bytes}.
     */
    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        long polledAt = System.nanoTime();
        boolean cut = false;
        Set<TopicPartition> cutPartitions = Set.of();
        int skipped = 0;
        for (TopicPartition partition : records.partitions()) {
            PartitionId id = book.idOf(partition);
            if (id == null) {
                continue; // not owned (fenced by a newer claim, or revoked) since these were fetched
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!cut && book.skip(partition, id, record, polledAt)) {
                    skipped++;
                    continue;
                }
                if (cut || !gate.admits(PartitionBook.bytesOf(record))) {
                    if (!cut) {
                        cutPartitions = new HashSet<>();
                    }
                    cut = true;
                    cutPartitions.add(partition);
                    consumer.seek(partition, record.offset());
                    break;
                }
                RecordRef ref = book.track(id, record, polledAt);
                parts.dispatcher().submit(new InboundRecord(ref, record.key(), record.value(), record.timestamp(),
                        DeadLetterHeaders.inbound(record.headers())));
            }
        }
        parts.dispatcher().endOfPoll();
        // past transaction markers and aborted records too, so a transactional topic's lag reaches 0
        for (Map.Entry<TopicPartition, OffsetAndMetadata> next : records.nextOffsets().entrySet()) {
            if (!cutPartitions.contains(next.getKey())) {
                book.fetchedTo(next.getKey(), next.getValue().offset());
            }
        }
        if (skipped > 0) {
            parts.metrics().skipped(skipped);
        }
        if (cut && gate.pauseAtBound()) {
            consumer.pause(consumer.assignment());
            log.debug("poll cut at the byte bound: {} bytes in flight", gate.inFlightBytes());
        }
    }

    private void applyGate() {
        switch (gate.evaluate(book.inFlight())) {
            case 1 -> {
                consumer.pause(consumer.assignment());
                log.debug("paused at {} records / {} bytes in flight", book.inFlight(), gate.inFlightBytes());
            }
            case -1 -> consumer.resume(book.fetchable(consumer.assignment()));
            default -> { }
        }
    }

    /** Partitions just claimed start fetching, unless the source is paused by the bound. */
    private void resumeIfOpen(java.util.Set<TopicPartition> claimed) {
        if (!claimed.isEmpty() && !gate.paused()) {
            consumer.resume(claimed);
        }
    }

    /**
     * Partitions a later claim fenced (exactly-once) while Kafka still assigns them here: paused,
     * their records in work discarded, moved back to their low-water mark, and claimed again after
     * the re-claim backoff ({@link Claims#retryIfDue}); the rebalance that may come instead revokes them.
     */
    private void giveUpFenced() {
        Map<TopicPartition, PartitionBook.Fence> lost = book.fenced(parts.completions().drainFenced());
        if (!lost.isEmpty()) {
            consumer.pause(lost.keySet());
            lost.forEach((partition, fence) -> {
                consumer.seek(partition, fence.restartAt());
                log.warn("fenced: {} claimed by a newer owner than epoch {} while still assigned here; not owned now,"
                                + " {} records in work discarded, re-claiming from offset {} in {} ms (fence {} in a row)",
                        partition, fence.epoch(), fence.discarded(), fence.restartAt(), fence.reclaimInMillis(), fence.fences());
            });
        }
    }

    private void publishView() {
        partitionView = book.view();
        inFlightView = book.inFlight();
        oldestInFlightNanos = book.oldestIncompleteNanos();
        ownershipView = book.ownershipCounts();
    }
}
