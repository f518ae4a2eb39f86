package dev.sluice.kafka;

import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.InboundRecord;
import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import dev.sluice.pipeline.PrefetchGate;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
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
 * That thread alone touches the {@link org.apache.kafka.clients.consumer.Consumer} and the
 * {@link PartitionBook}; workers hand completions back through the run's completions queue, which
 * wakes a blocked poll. Each loop: absorb completions, commit the low-water marks, apply the
 * prefetch gate, poll, dispatch. Drain and abort end the loop here too.
 */
final class PollLoop {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
    /** Early commits (see commitIfDue) at most every 5 ms: a gap below durable records cannot thrash the broker. */
    private static final long MIN_COMMIT_GAP_NANOS = 5_000_000;

    /** Owned by the poll thread. */
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    /** Owned by the poll thread. */
    private final PartitionBook book;
    private final RunParts parts;
    private final PrefetchGate gate;
    private final Lifecycle lifecycle;
    private final Consumer<StopReport> onStopped;
    private final Thread thread;
    /** Poll thread only. */
    private long lastCommitNanos;
    private long stopStartedNanos;
    private Instant stopStartedAt;
    private String stopMode;
    /** True only while the poll thread is inside {@code poll()}: then a wakeup is useful and harmless. */
    private volatile boolean wakeable;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile String stopReason = "operator request";
    private volatile boolean halted;
    /** Set by the poll thread when this run reached STOPPED through {@link #finish}. */
    private boolean finished;
    /** Published by the poll thread for readers. */
    private volatile Map<String, PartitionStatus> partitionView = Map.of();
    private volatile int inFlightView;
    private volatile long oldestInFlightNanos = Long.MAX_VALUE;

    PollLoop(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, RunParts parts, PrefetchGate gate,
            Lifecycle lifecycle, Consumer<StopReport> onStopped) {
        this.consumer = consumer;
        this.book = new PartitionBook(gate);
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
            consumer.subscribe(List.of(parts.source().topic()), new Rebalancing(consumer, book, gate, parts.completions(),
                    lifecycle, parts.source().revokeTimeout().toNanos(), this::commitInCallback, () -> halted));
            parts.sinkStage().start();
            while (true) {
                PipelineState state = lifecycle.state();
                book.absorb(parts.completions().drain());
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
            if (!finished) {
                // finish() did not run: never leave the pipeline stuck in a stopping state. Only this
                // run's own state is repaired: once finished, a resume may already own the lifecycle.
                cancelWork();
                closeConsumer(Duration.ofSeconds(1));
                lifecycle.moveTo(PipelineState.ABORTING);
                lifecycle.moveTo(PipelineState.ABORTING, PipelineState.STOPPED);
            }
        }
    }

    /** One drain step; true when the drain finished and the run ended. */
    private boolean drainStep() {
        beginStop("drain");
        if (book.incomplete() == 0) {
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
            log.warn("drain deadline passed with {} records incomplete; aborting", book.incomplete());
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
        long polledAt = System.nanoTime();
        for (TopicPartition partition : records.partitions()) {
            PartitionId id = book.idOf(partition);
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                RecordRef ref = book.track(id, record, polledAt);
                parts.dispatcher().submit(new InboundRecord(ref, record.key(), record.value(), record.timestamp()));
            }
        }
        // every poll, empty ones too: the oldest in-flight age must keep moving while paused
        publishView();
    }

    private void applyGate() {
        switch (gate.evaluate(book.inFlight())) {
            case 1 -> {
                consumer.pause(consumer.assignment());
                log.debug("paused at {} records / {} bytes in flight", book.inFlight(), gate.inFlightBytes());
            }
            case -1 -> consumer.resume(consumer.assignment());
            default -> { }
        }
    }

    /**
     * Commits on the interval, and sooner whenever records are held only by the commit: while
     * paused, or once an eighth of the bound is durable but uncommitted (in flight only falls at a
     * commit, so waiting out the interval would stall the source). At most one commit per
     * {@link #MIN_COMMIT_GAP_NANOS}.
     */
    private void commitIfDue() {
        long sinceLast = System.nanoTime() - lastCommitNanos;
        boolean held = gate.paused() || book.durableUncommitted() >= Math.max(1, gate.maxInFlight() / 8);
        if (sinceLast >= parts.source().commitInterval().toNanos() || (held && sinceLast >= MIN_COMMIT_GAP_NANOS)) {
            commitDurable();
        }
    }

    private boolean commitDurable() {
        lastCommitNanos = System.nanoTime();
        Map<TopicPartition, OffsetAndMetadata> offsets = book.committable();
        return offsets.isEmpty() || commit(offsets);
    }

    /** Commits from a rebalance callback (inside poll): no wakeup may interrupt it. */
    private boolean commitInCallback(Map<TopicPartition, OffsetAndMetadata> offsets) {
        boolean wasWakeable = wakeable;
        wakeable = false;
        try {
            return commit(offsets);
        } finally {
            wakeable = wasWakeable;
        }
    }

    private boolean commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
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
        book.committed(offsets);
        return true;
    }

    private void beginStop(String mode) {
        if (stopStartedNanos == 0) {
            stopStartedNanos = System.nanoTime();
            stopStartedAt = Instant.now();
            stopMode = mode;
            book.countCompletions();
            consumer.pause(consumer.assignment());
            log.info("{} started: {} records in flight", mode, book.inFlight());
        }
    }

    private void abortNow() {
        beginStop("abort");
        long deadline = System.nanoTime() + parts.shutdown().abortTimeout().toNanos();
        cancelWork();
        try {
            boolean idle = parts.dispatcher().awaitIdle(remaining(deadline)) & parts.sinkStage().join(remaining(deadline));
            if (!idle) {
                log.warn("abort: some workers did not end within {}", parts.shutdown().abortTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        book.absorb(parts.completions().drain());
        commitDurable();
        finish(book.incomplete());
    }

    private void haltNow() {
        stopMode = "halt";
        stopStartedNanos = System.nanoTime();
        stopStartedAt = Instant.now();
        cancelWork();
        finish(book.incomplete());
    }

    private void cancelWork() {
        parts.dispatcher().cancel();
        parts.sinkStage().cancel();
        parts.deadLetters().cancelAll();
    }

    private void finish(long abandoned) {
        publishView();
        StopReport report = new StopReport(stopMode, stopStartedAt, (System.nanoTime() - stopStartedNanos) / 1_000_000,
                book.completedWhileCounting(), abandoned, book.lastCommitted(), stopReason);
        closeConsumer(Duration.ofSeconds(5));
        log.info("{} finished in {} ms: {} records finished, {} abandoned (redelivered on next start), committed {}",
                report.mode(), report.durationMillis(), report.finished(), report.abandoned(), report.committed());
        onStopped.accept(report);
        finished = true;
        lifecycle.moveTo(PipelineState.STOPPED);
    }

    /** Waits up to {@code timeout} for the poll thread to end; true if it did. */
    boolean join(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    private void closeConsumer(Duration timeout) {
        try {
            consumer.close(CloseOptions.timeout(timeout));
        } catch (RuntimeException e) {
            log.warn("closing the consumer failed: {}", e.toString());
        }
    }

    private void publishView() {
        partitionView = book.view();
        inFlightView = book.inFlight();
        oldestInFlightNanos = book.oldestIncompleteNanos();
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
