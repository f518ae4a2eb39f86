package dev.sluice.pipeline;

import dev.sluice.pipeline.BatchSink.SinkItem;

/**
 * The worker stages for one record: decode → validate → process → hand to the sink stage. A
 * rejected record goes to the dead letters and completes when the broker acknowledged it. A
 * decoder or process step that throws (an {@link Error} included) rejects the record; only a fatal
 * error ({@link Failures#isFatal}) propagates, and fails the pipeline.
 * Stateless apart from its collaborators; runs on the dispatcher's virtual threads, or, through
 * {@link DirectIntake}, the decode and a non-blocking step on the poll thread.
 */
public final class RecordWorker<T> implements KeyedDispatcher.Handler {

    private final RecordDecoder<T> decoder;
    private final ProcessStep<T> step;
    private final SinkStage<T> sinkStage;
    private final DeadLetters deadLetters;
    private final Completions completions;
    private final Backoff backoff;
    private final FlowMetrics metrics;

    public RecordWorker(RecordDecoder<T> decoder, ProcessStep<T> step, SinkStage<T> sinkStage, DeadLetters deadLetters,
            Completions completions, Backoff backoff, FlowMetrics metrics) {
        this.decoder = decoder;
        this.step = step;
        this.sinkStage = sinkStage;
        this.deadLetters = deadLetters;
        this.completions = completions;
        this.backoff = backoff;
        this.metrics = metrics;
    }

    @Override
    public void handle(InboundRecord record) throws InterruptedException {
        // every line logged about this record (the process step's included) carries its position and trace id
        try (RecordLogContext context = RecordLogContext.of(record)) {
            handleInContext(record);
        }
    }

    private void handleInContext(InboundRecord record) throws InterruptedException {
        T value = prepare(record, true);
        if (value != null) {
            sinkStage.put(new SinkItem<>(record, value));
        }
    }

    /**
     * Decodes, validates and processes {@code record} on the calling thread: the value for the sink,
     * or null when the record was dead-lettered. With {@code mayWait} false (the poll thread, a
     * non-blocking step) nothing here waits: a transient failure of the step is not retried but
     * dead-letters the record like any other.
     */
    T prepare(InboundRecord record, boolean mayWait) throws InterruptedException {
        Decoded<T> decoded;
        try {
            decoded = decoder.decode(record.key(), record.value());
        } catch (RuntimeException | Error e) {
            if (Failures.isFatal(e)) {
                throw e;
            }
            deadLetter(record, Rejection.byError(RejectReason.MALFORMED, Rejection.Stage.DECODE, "decoder failed: " + e, e, 1));
            return null;
        }
        return switch (decoded) {
            case Decoded.Rejected<T>(RejectReason reason, String detail) -> {
                deadLetter(record, Rejection.byRule(reason,
                        reason == RejectReason.MALFORMED ? Rejection.Stage.DECODE : Rejection.Stage.VALIDATE, detail));
                yield null;
            }
            case Decoded.Accepted<T>(T value) -> process(record, value, mayWait);
        };
    }

    /** Runs the process step, retrying transient failures when it may wait; null when the record was dead-lettered. */
    private T process(InboundRecord record, T value, boolean mayWait) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.apply(value);
            } catch (TransientProcessingException e) {
                if (!mayWait) {
                    deadLetter(record, Rejection.byError(RejectReason.INVALID, Rejection.Stage.PROCESS,
                            "non-blocking step failed transiently (no retry without blocking): " + e, e, attempt));
                    return null;
                }
                metrics.retried("process", "transient");
                backoff.pause(attempt);
            } catch (RuntimeException | Error e) {
                // the record's fault as far as we can tell (a stack overflow on a deep input, an
                // assertion of the step): dead-lettered with the cause, the lane goes on
                if (Failures.isFatal(e)) {
                    throw e;
                }
                deadLetter(record, Rejection.byError(RejectReason.INVALID, Rejection.Stage.PROCESS,
                        "process step failed: " + e, e, attempt));
                return null;
            }
        }
    }

    private void deadLetter(InboundRecord record, Rejection rejection) {
        deadLetters.publish(record, rejection, () -> {
            metrics.deadLettered(rejection.reason());
            completions.complete(record.ref());
        });
    }
}
