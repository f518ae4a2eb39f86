package dev.sluice.pipeline;

import dev.sluice.pipeline.BatchSink.SinkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The direct path, for a job whose process step does not block ({@link ProcessStep#blocks()}): the
 * poll thread decodes, validates and processes each poll's records itself, in the poll's order (so
 * each key's in offset order), and hands the poll's values to the sink shards in one batch per shard
 * ({@link SinkStage#putAll}). No worker thread is involved: a thread hop per record buys nothing
 * when nothing waits, and costs more CPU than the decode. Rejected records go to the dead letters
 * as on the worker path; every record keeps its logging context while it is decoded.
 *
 * <p>Bounded like the worker path: each record is tracked in flight before it is submitted, the
 * prefetch gate bounds those, and the shard queues hold the in-flight bound, so the hand-off never
 * waits while the bound holds. Should it wait anyway (records of revoked partitions still queued),
 * it gives up on an abort ({@code aborting}) or a {@link #cancel}.
 *
 * <p>Poll thread only, apart from {@link #cancel}.
 */
public final class DirectIntake<T> implements RecordIntake {

    private final RecordWorker<T> stages;
    private final SinkStage<T> sinkStage;
    private final BooleanSupplier aborting;
    /** The current poll's records; poll thread only. */
    private final List<InboundRecord> polled = new ArrayList<>();
    private volatile boolean cancelled;

    /** @param aborting true once the run aborts: a hand-off waiting for room gives up */
    public DirectIntake(RecordWorker<T> stages, SinkStage<T> sinkStage, BooleanSupplier aborting) {
        this.stages = stages;
        this.sinkStage = sinkStage;
        this.aborting = aborting;
    }

    @Override
    public void submit(InboundRecord record) {
        if (!cancelled) {
            polled.add(record);
        }
    }

    /** Decodes and processes the poll's records in order, then hands them to the sink shards. */
    @Override
    public void endOfPoll() {
        if (polled.isEmpty()) {
            return;
        }
        try {
            List<SinkItem<T>> items = new ArrayList<>(polled.size());
            for (InboundRecord record : polled) {
                T value;
                // every line logged about this record (the decoder's included) carries its position and trace id
                try (RecordLogContext context = RecordLogContext.of(record)) {
                    value = stages.prepare(record, false);
                }
                if (value != null) {
                    items.add(new SinkItem<>(record, value));
                }
            }
            sinkStage.putAll(items, () -> cancelled || aborting.getAsBoolean());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted handing records to the sink", e);
        } finally {
            polled.clear();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    /** No worker threads: idle as soon as the poll thread is past {@link #endOfPoll}. */
    @Override
    public boolean awaitIdle(Duration timeout) {
        return true;
    }

    @Override
    public int busy() {
        return 0;
    }
}
