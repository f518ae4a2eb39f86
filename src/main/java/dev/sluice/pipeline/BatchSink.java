package dev.sluice.pipeline;

import java.util.List;

/**
 * Writes batches durably. Called from several sink threads at once, one batch per call; a batch is
 * owned by the call (nobody else touches it).
 */
public interface BatchSink<T> {

    /**
     * Writes {@code batch} in as few transactions as it can and returns one outcome per item, in
     * the same order, once every written item is durable. Throws {@link TransientSinkException}
     * when nothing may be assumed durable and the whole batch must be retried.
     */
    List<SinkOutcome> write(List<SinkItem<T>> batch) throws TransientSinkException, InterruptedException;

    /** Cancels every write in progress now (abort): open transactions roll back. */
    void cancelAll();

    /** One processed record awaiting its write. */
    record SinkItem<T>(InboundRecord record, T value) {
    }
}
