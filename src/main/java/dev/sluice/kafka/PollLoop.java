package dev.sluice.kafka;

import dev.sluice.offsets.OffsetTracker;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.Completions;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.KeyedDispatcher;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.SinkStage;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * {@link OffsetTracker} and the partition map; workers hand completions back through
 * {@link Completions}, which wakes a blocked poll. Each loop: absorb completions, commit the
 * low-water marks, apply the prefetch gate, poll, dispatch.
 */
final class PollLoop implements ConsumerRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /** Owned by the poll thread. */
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    /** Owned by the poll thread. */
    private final OffsetTracker tracker = new OffsetTracker();
    /** Owned by the poll thread. */
    private final Map<TopicPartition, PartitionId> ids = new HashMap<>();
    /** Owned by the poll thread: last committed offset per partition, for reports. */
    private final Map<String, Long> committed = new LinkedHashMap<>();
    private final RunParts parts;
    private final PrefetchGate gate;
    private final Lifecycle lifecycle;
    private final Consumer<StopReport> onStopped;
    private final Thread thread;
    /** Records of revoked partitions still in work: they count as in flight until they complete. Poll thread only. */
    private int orphans;
    private long lastCommitNanos;
    /** Stop bookkeeping, poll thread only. */
    private long stopStartedNanos;
    private Instant stopStartedAt;
    private String stopMode;
    private long finishedWhileStopping;
    /** True only while the poll thread is inside {@code poll()}: then a wakeup is useful and harmless. */
    private volatile boolean wakeable;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile String stopReason = "operator request";
    private volatile boolean halted;
    /** Published by the poll thread for readers. */
    private volatile Map<String, PartitionStatus> partitionView = Map.of();
    private volatile int inFlightView;
    private volatile long oldestInFlightNanos = Long.MAX_VALUE;

    PollLoop(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, RunParts parts, PrefetchGate gate,
            Lifecycle lifecycle, Consumer<StopReport> onStopped) {
        this.consumer = consumer;
        this.parts = parts;
        this.gate = gate;
        this.lifecycle = lifecycle;
        this.onStopped = onStopped;
        this.thread = Thread.ofPlatform().name("sluice-poll").daemon(true).unstarted(this::run);
        parts.completions().setWaker(this::wake);
    }

    void start() {
        thread.start();
    }

    /** Makes a blocked poll return now, so a state change or completion is seen at once. */
    void wake() {
        if (wakeable) {
            try {
                consumer.wakeup();
            } catch (RuntimeException e) {
                log.debug("wakeup after close ignored: {}", e.toString());
            }
        }
    }

    void drainDeadline(Duration deadline, String reason) {
        this.stopReason = reason;
        this.drainDeadlineNanos = System.nanoTime() + deadline.toNanos();
        consumer.wakeup();
    }

    void abortRequested(String reason) {
        this.stopReason = reason;
        consumer.wakeup();
    }

    /** Test hook for a crash: stops without any further commit, as if the process died. */
    void halt() {
        halted = true;
        consumer.wakeup();
    }

    boolean join(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    Map<String, PartitionStatus> partitionView() {
        return partitionView;
    }

    int inFlight() {
        return inFlightView;
    }

    long oldestInFlightMillis() {
        long since = oldestInFlightNanos;
        return since == Long.MAX_VALUE ? 0 : (System.nanoTime() - since) / 1_000_000;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(parts.source().topic()), this);
            parts.sinkStage().start();
            while (true) {
                PipelineState state = lifecycle.state();
                absorb(parts.completions().drain());
                if (halted) {
                    haltNow();
                    return;
                }
                if (state == PipelineState.ABORTING) {
                    abortNow();
                    return;
                }
                if (state == PipelineState.DRAINING && drainStep()) {
                    return;
                }
                if (state == PipelineState.RUNNING) {
                    commitIfDue();
                    applyGate();
                }
                pollOnce();
            }
        } catch (Throwable error) {
            log.error("consumption failed; aborting and committing the durable prefix", error);
            stopReason = "failure: " + error;
            lifecycle.moveTo(PipelineState.ABORTING);
            try {
                abortNow();
            } catch (Throwable secondary) {
                log.error("abort after the failure failed too; nothing more is committed", secondary);
            }
        } finally {
            if (lifecycle.state() != PipelineState.STOPPED) {
                // only reached when finish() did not run: never leave the pipeline stuck in a stopping state
                closeQuietly();
                lifecycle.moveTo(PipelineState.ABORTING);
                lifecycle.moveTo(PipelineState.STOPPED);
            }
        }
    }

    private void closeQuietly() {
        parts.dispatcher().cancel();
        parts.sinkStage().cancel();
        parts.deadLetters().cancelAll();
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        } catch (RuntimeException e) {
            log.debug("closing the consumer failed: {}", e.toString());
        }
    }

    /** One drain step; true when the drain finished and the run ended. */
    private boolean drainStep() {
        beginStop("drain");
        if (tracker.incomplete() == 0 && orphans == 0) {
            if (commitDurable()) {
                try {
                    parts.sinkStage().close(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finish(0);
                return true;
            }
        } else if (System.nanoTime() > drainDeadlineNanos) {
            log.warn("drain deadline passed with {} records incomplete; aborting", tracker.incomplete() + orphans);
            stopMode = "drain->abort";
            lifecycle.moveTo(PipelineState.DRAINING, PipelineState.ABORTING);
        }
        return false;
    }

    private void pollOnce() {
        ConsumerRecords<byte[], byte[]> records;
        wakeable = true;
        try {
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
            wakeable = false;
        }
        if (records.isEmpty()) {
            publishView();
            return;
        }
        long polledAt = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            PartitionId id = ids.get(new TopicPartition(record.topic(), record.partition()));
            int bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
            RecordRef ref = tracker.track(id, record.offset(), bytes, polledAt);
            gate.added(bytes);
            parts.dispatcher().submit(new InboundRecord(ref, record.key(), record.value(), record.timestamp()));
        }
        publishView();
    }

    private void absorb(List<RecordRef> refs) {
        for (RecordRef ref : refs) {
            gate.released(ref.bytes());
            switch (tracker.complete(ref)) {
                case ACCEPTED -> {
                    if (stopStartedNanos != 0) {
                        finishedWhileStopping++;
                    }
                }
                case STALE -> orphans = Math.max(0, orphans - 1);
                case REPEATED -> log.debug("repeated completion of {} ignored", ref);
            }
        }
    }

    private void applyGate() {
        switch (gate.evaluate(tracker.inFlight() + orphans)) {
            case 1 -> {
                consumer.pause(consumer.assignment());
                log.debug("paused at {} records / {} bytes in flight", tracker.inFlight() + orphans, gate.inFlightBytes());
            }
            case -1 -> consumer.resume(consumer.assignment());
            default -> { }
        }
    }

    /** Commits on the interval, and at once while paused or stopping: in-flight only falls at a commit. */
    private void commitIfDue() {
        if (gate.paused() || System.nanoTime() - lastCommitNanos >= parts.source().commitInterval().toNanos()) {
            commitDurable();
        }
    }

    private boolean commitDurable() {
        lastCommitNanos = System.nanoTime();
        Map<PartitionId, Long> offsets = tracker.committable();
        return offsets.isEmpty() || commit(offsets);
    }

    private boolean commit(Map<PartitionId, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> kafkaOffsets = new HashMap<>();
        offsets.forEach((id, offset) -> kafkaOffsets.put(new TopicPartition(id.topic(), id.partition()), new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(kafkaOffsets, COMMIT_TIMEOUT);
        } catch (WakeupException e) {
            return false;
        } catch (KafkaException e) {
            if (KafkaErrors.isRetriable(e)) {
                parts.metrics().retried("commit", KafkaErrors.causeName(e));
            } else {
                // CommitFailedException and friends: the group moved on; revocation commits what is ours
                log.warn("commit of {} failed: {}", offsets, e.toString());
            }
            return false;
        }
        tracker.committed(offsets);
        offsets.forEach((id, offset) -> committed.put(id.toString(), offset));
        return true;
    }

    private void beginStop(String mode) {
        if (stopStartedNanos == 0) {
            stopStartedNanos = System.nanoTime();
            stopStartedAt = Instant.now();
            stopMode = mode;
            consumer.pause(consumer.assignment());
            log.info("{} started: {} records in flight", mode, tracker.inFlight() + orphans);
        }
    }

    private void abortNow() {
        beginStop("abort");
        long deadline = System.nanoTime() + parts.shutdown().abortTimeout().toNanos();
        parts.dispatcher().cancel();
        parts.sinkStage().cancel();
        parts.deadLetters().cancelAll();
        try {
            boolean idle = parts.dispatcher().awaitIdle(remaining(deadline)) & parts.sinkStage().join(remaining(deadline));
            if (!idle) {
                log.warn("abort: some workers did not end within {}", parts.shutdown().abortTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        absorb(parts.completions().drain());
        commitDurable();
        finish(tracker.incomplete() + orphans);
    }

    private void haltNow() {
        stopMode = "halt";
        stopStartedNanos = System.nanoTime();
        stopStartedAt = Instant.now();
        parts.dispatcher().cancel();
        parts.sinkStage().cancel();
        parts.deadLetters().cancelAll();
        finish(tracker.incomplete() + orphans);
    }

    private void finish(long abandoned) {
        publishView();
        StopReport report = new StopReport(stopMode, stopStartedAt,
                (System.nanoTime() - stopStartedNanos) / 1_000_000, finishedWhileStopping, abandoned, Map.copyOf(committed), stopReason);
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException e) {
            log.warn("closing the consumer failed: {}", e.toString());
        }
        log.info("{} finished in {} ms: {} records finished, {} abandoned (redelivered on next start), committed {}",
                report.mode(), report.durationMillis(), report.finished(), report.abandoned(), report.committed());
        onStopped.accept(report);
        lifecycle.moveTo(PipelineState.STOPPED);
    }

    private void publishView() {
        Map<String, PartitionStatus> view = new LinkedHashMap<>();
        tracker.progress().forEach((id, p) -> view.put(id.toString(),
                new PartitionStatus(p.committed(), p.completed(), p.lastPolled(), p.inFlight())));
        partitionView = view;
        inFlightView = tracker.inFlight() + orphans;
        oldestInFlightNanos = tracker.oldestIncompleteNanos();
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    // ---- rebalance callbacks: called by the consumer inside poll(), on the poll thread ----

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        for (TopicPartition partition : assigned) {
            PartitionId id = new PartitionId(partition.topic(), partition.partition());
            ids.put(partition, id);
            tracker.assign(id);
        }
        if (gate.paused() || lifecycle.state() != PipelineState.RUNNING) {
            consumer.pause(assigned);
        }
        log.info("assigned {}", assigned);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        boolean wasWakeable = wakeable;
        wakeable = false;
        List<PartitionId> revokedIds = revoked.stream().map(ids::get).filter(java.util.Objects::nonNull).toList();
        long waitNanos = lifecycle.state() == PipelineState.ABORTING || halted ? 0 : parts.source().revokeTimeout().toNanos();
        long deadline = System.nanoTime() + waitNanos;
        try {
            while (tracker.incomplete(revokedIds) > 0 && System.nanoTime() < deadline) {
                absorb(parts.completions().await(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!halted) {
            Map<PartitionId, Long> offsets = tracker.committable(revokedIds);
            if (!offsets.isEmpty() && !commit(offsets)) {
                commit(offsets);
            }
        }
        int left = 0;
        for (TopicPartition partition : revoked) {
            PartitionId id = ids.remove(partition);
            if (id != null) {
                left += tracker.revoke(id);
            }
        }
        orphans += left;
        log.info("revoked {}: durable prefix committed, {} records still in work will be discarded", revoked, left);
        wakeable = wasWakeable;
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        for (TopicPartition partition : lost) {
            PartitionId id = ids.remove(partition);
            if (id != null) {
                orphans += tracker.revoke(id);
            }
        }
        log.warn("lost {} without a chance to commit; their records are redelivered to the new owner", lost);
    }
}
