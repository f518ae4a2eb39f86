package dev.sluice.kafka;

import dev.sluice.pipeline.Lifecycle;
import dev.sluice.pipeline.PipelineState;
import dev.sluice.pipeline.StopReport;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run ends: drain (stop fetching, finish and commit everything in flight), abort (cancel
 * in-flight work, commit the durable prefix), halt (a simulated crash: no further commit), or the
 * repair after a failure. Every way ends in {@link #finish}, which closes the consumer, reports and
 * moves the lifecycle to STOPPED — exactly once per run.
 *
 * <p>While a drain waits, the durable prefix is committed on the commit interval as in RUNNING; the
 * final commit follows the last record. A drain turns into an abort once its deadline passed, whatever is still missing: records that
 * are not durable, or only the final commit (a coordinator that keeps refusing it).
 *
 * <p>Poll thread only: every field is confined to it.
 */
final class StopSequence {

    /** What a drain step decided. */
    enum DrainVerdict { FINISHED, WAITING, DEADLINE_PASSED }

    private static final Logger log = LoggerFactory.getLogger(StopSequence.class);

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final PartitionBook book;
    private final RunParts parts;
    private final OffsetCommitter committer;
    private final Lifecycle lifecycle;
    private final Supplier<StopRequest> request;
    private final Consumer<StopReport> onStopped;
    private final Runnable publishView;
    private long startedNanos;
    private Instant startedAt;
    private String mode;
    private boolean finished;

    StopSequence(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, PartitionBook book, RunParts parts,
            OffsetCommitter committer, Lifecycle lifecycle, Supplier<StopRequest> request, Consumer<StopReport> onStopped,
            Runnable publishView) {
        this.consumer = consumer;
        this.book = book;
        this.parts = parts;
        this.committer = committer;
        this.lifecycle = lifecycle;
        this.request = request;
        this.onStopped = onStopped;
        this.publishView = publishView;
    }

    /** The pure rule of a drain step. */
    static DrainVerdict drainVerdict(long incomplete, boolean committed, boolean deadlinePassed) {
        if (incomplete == 0 && committed) {
            return DrainVerdict.FINISHED;
        }
        return deadlinePassed ? DrainVerdict.DEADLINE_PASSED : DrainVerdict.WAITING;
    }

    /** One drain step; true when the drain finished and the run ended. */
    boolean drainStep() {
        begin("drain");
        long incomplete = book.incomplete();
        if (incomplete > 0) {
            committer.commitOnInterval();
        }
        boolean committed = incomplete == 0 && committer.commitDurable();
        switch (drainVerdict(incomplete, committed, request.get().deadlinePassed(System.nanoTime()))) {
            case FINISHED -> {
                try {
                    parts.sinkStage().close(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                finish(0);
                return true;
            }
            case DEADLINE_PASSED -> {
                log.warn("drain deadline passed with {} records incomplete{}; aborting", incomplete,
                        incomplete == 0 ? " (the final commit was refused)" : "");
                mode = "drain->abort";
                lifecycle.moveTo(PipelineState.DRAINING, PipelineState.ABORTING);
            }
            case WAITING -> { }
        }
        return false;
    }

    void abort() {
        begin("abort");
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
        committer.commitDurable();
        finish(book.incomplete());
    }

    void halt() {
        mode = "halt";
        startedNanos = System.nanoTime();
        startedAt = Instant.now();
        cancelWork();
        finish(book.incomplete());
    }

    /** After the run ended without {@link #finish} (a failure inside a stop): never leave the pipeline stopping. */
    void repairIfUnfinished() {
        if (!finished) {
            cancelWork();
            closeConsumer(Duration.ofSeconds(1));
            lifecycle.moveTo(PipelineState.ABORTING);
            lifecycle.moveTo(PipelineState.ABORTING, PipelineState.STOPPED);
        }
    }

    private void begin(String stopMode) {
        if (startedAt == null) {
            startedNanos = System.nanoTime();
            startedAt = Instant.now();
            mode = stopMode;
            book.countCompletions();
            consumer.pause(consumer.assignment());
            log.info("{} started: {} records in flight", stopMode, book.inFlight());
        }
    }

    private void cancelWork() {
        parts.dispatcher().cancel();
        parts.sinkStage().cancel();
        parts.deadLetters().cancelAll();
    }

    private void finish(long abandoned) {
        publishView.run();
        StopReport report = new StopReport(mode, startedAt, (System.nanoTime() - startedNanos) / 1_000_000,
                book.completedWhileCounting(), abandoned, book.lastCommitted(), request.get().reason());
        closeConsumer(Duration.ofSeconds(5));
        log.info("{} finished in {} ms: {} records finished, {} abandoned (redelivered on next start), committed {}",
                report.mode(), report.durationMillis(), report.finished(), report.abandoned(), report.committed());
        onStopped.accept(report);
        // Only this run's own state is moved: once finished, a resume may already own the lifecycle.
        finished = true;
        lifecycle.moveTo(PipelineState.STOPPED);
    }

    private void closeConsumer(Duration timeout) {
        try {
            consumer.close(CloseOptions.timeout(timeout));
        } catch (RuntimeException e) {
            log.warn("closing the consumer failed: {}", e.toString());
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }
}
