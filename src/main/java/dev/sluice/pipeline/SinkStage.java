package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches processed records by size and wait, and writes each batch on one of {@code sinkThreads}
 * shards, each a bounded queue drained by its own virtual thread ({@code sluice-sink-N}).
 *
 * <p>Per-key order to durability: a record goes to the shard of its {@link InboundRecord#orderKey()
 * order key}, and a shard writes its batches one after the other, retrying a failed batch before it
 * takes the next. The dispatcher (on the direct path the poll thread, {@link DirectIntake}) hands
 * a key's records over in offset order, so they become durable in offset order whatever the number
 * of shards, through batching, retries and bisection (the writer applies a batch's records in
 * batch order). Records of different keys on different shards commit in any order; their effects
 * are independent (DESIGN.md "Per-key order to durability").
 *
 * <p>A batch belongs to the shard thread that took it from the queue; once handed to the sink it is
 * never touched by anyone else. Transient failures retry the whole batch with backoff, forever or
 * until cancelled (abort); nothing in it completes meanwhile, so no offset moves past it. An
 * unexpected exception or error from the sink is retried the same way (a bug stalls visibly, it
 * never ends a shard thread silently); a fatal error ({@link Failures#isFatal}), or any failure in
 * the shard's own bookkeeping after a write, fails the pipeline.
 * Each queue is bounded by the in-flight bound: a worker blocks in {@link #put} (the poll thread in
 * {@link #putAll}) only when the sink is that far behind, and the source has paused long before.
 */
public final class SinkStage<T> {

    private static final Logger log = LoggerFactory.getLogger(SinkStage.class);
    private static final long IDLE_POLL_MILLIS = 50;

    /** One shard: its queue (written by workers, drained by its thread) and its thread. */
    private record Shard<T>(ShardQueue<SinkItem<T>> queue, Thread thread) {
    }

    private final List<Shard<T>> shards = new ArrayList<>();
    private final BatchSink<T> sink;
    private final DeadLetters deadLetters;
    private final Completions completions;
    private final Backoff backoff;
    private final FlowMetrics metrics;
    private final Failures.Listener failures;
    private final int maxSize;
    private final long maxWaitNanos;
    /** Set once to end the loops: after a drain completed, or on abort. */
    private volatile boolean closed;

    public SinkStage(BatchProperties batch, int maxInFlight, BatchSink<T> sink, DeadLetters deadLetters,
            Completions completions, Backoff backoff, FlowMetrics metrics, Failures.Listener failures) {
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.completions = completions;
        this.backoff = backoff;
        this.metrics = metrics;
        this.failures = failures;
        this.maxSize = batch.maxSize();
        this.maxWaitNanos = batch.maxWait().toNanos();
        for (int i = 0; i < batch.sinkThreads(); i++) {
            ShardQueue<SinkItem<T>> queue = new ShardQueue<>(maxInFlight);
            shards.add(new Shard<>(queue, Thread.ofVirtual().name("sluice-sink-" + i).unstarted(() -> loop(queue))));
        }
    }

    public void start() {
        shards.forEach(shard -> shard.thread().start());
    }

    /**
     * Hands a processed record to its key's shard, behind the key's earlier records; blocks only
     * while that shard's queue holds the whole in-flight bound.
     */
    public void put(SinkItem<T> item) throws InterruptedException {
        shards.get(shardOf(item.record(), shards.size())).queue().put(item);
    }

    /**
     * Hands a poll's processed records to their keys' shards, each shard's in the order given, in one
     * hand-off per shard. While a shard's queue holds the whole in-flight bound it waits, asking
     * {@code giveUp} (an abort) every 50 ms; false when it gave up (records not handed over stay
     * incomplete). The poll thread calls this on the direct path; it never waits while the in-flight
     * bound holds.
     */
    public boolean putAll(List<SinkItem<T>> items, BooleanSupplier giveUp) throws InterruptedException {
        int count = shards.size();
        if (count == 1) {
            return items.isEmpty() || shards.getFirst().queue().putAll(items, giveUp);
        }
        List<List<SinkItem<T>>> byShard = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byShard.add(new ArrayList<>(items.size() / count + 16));
        }
        for (SinkItem<T> item : items) {
            byShard.get(shardOf(item.record(), count)).add(item);
        }
        for (int i = 0; i < count; i++) {
            List<SinkItem<T>> shardItems = byShard.get(i);
            if (!shardItems.isEmpty() && !shards.get(i).queue().putAll(shardItems, giveUp)) {
                return false;
            }
        }
        return true;
    }

    /** The shard of {@code record}'s order key: the same for every record of the key. */
    static int shardOf(InboundRecord record, int shardCount) {
        int hash = record.orderKey().hashCode();
        return Math.floorMod(hash ^ (hash >>> 16), shardCount);
    }

    public int queued() {
        int queued = 0;
        for (Shard<T> shard : shards) {
            queued += shard.queue().size();
        }
        return queued;
    }

    private void loop(ShardQueue<SinkItem<T>> queue) {
        try {
            while (!closed) {
                SinkItem<T> first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    write(collect(queue, first));
                }
            }
        } catch (InterruptedException e) {
            // abort: the batch in hand stays incomplete and is redelivered later
        } catch (FatalSinkError e) {
            failures.failed("sink", e.getCause());
        } catch (RuntimeException | Error e) {
            // A failure in the bookkeeping after a write (outcomes, completions, dead letters): this
            // shard's records would never complete, so the run fails visibly instead of a shard
            // thread ending in silence while the source waits on it.
            failures.failed("sink", e);
        }
    }

    private List<SinkItem<T>> collect(ShardQueue<SinkItem<T>> queue, SinkItem<T> first) throws InterruptedException {
        List<SinkItem<T>> batch = new ArrayList<>(Math.min(maxSize, 1024));
        batch.add(first);
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxSize) {
            queue.drainTo(batch, maxSize - batch.size());
            long remaining = deadline - System.nanoTime();
            if (batch.size() >= maxSize || remaining <= 0) {
                break;
            }
            SinkItem<T> next = queue.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    private void write(List<SinkItem<T>> batch) throws InterruptedException {
        List<SinkOutcome> outcomes;
        int attempts = 0;
        for (int attempt = 1; ; attempt++) {
            attempts = attempt;
            long started = System.nanoTime();
            try {
                outcomes = sink.write(batch);
                metrics.batch(batch.size(), System.nanoTime() - started);
                break;
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable e) {
                // a bug in a sink is retried like an outage: visible, never a silently dead sink thread
                if (Failures.isFatal(e)) {
                    throw new FatalSinkError(e);
                }
                if (closed) {
                    throw new InterruptedException("sink stage cancelled");
                }
                String cause = e instanceof TransientSinkException t ? t.causeName() : "unexpected-" + e.getClass().getSimpleName();
                metrics.retried("sink", cause);
                Duration delay = backoff.delay(attempt);
                if (attempt == 1 || attempt % 10 == 0) {
                    try (RecordLogContext context = RecordLogContext.ofBatch(batch.stream().map(SinkItem::record).toList())) {
                        log.warn("batch of {} not written (attempt {}, {}: {}); retrying in {} ms", batch.size(), attempt,
                                cause, e.getMessage(), delay.toMillis());
                    }
                }
                Thread.sleep(delay);
            }
        }
        List<RecordRef> done = new ArrayList<>(batch.size());
        List<RecordRef> fenced = new ArrayList<>(0);
        int written = 0;
        int duplicates = 0;
        for (int i = 0; i < batch.size(); i++) {
            InboundRecord record = batch.get(i).record();
            switch (outcomes.get(i)) {
                case SinkOutcome.Written w -> {
                    written++;
                    done.add(record.ref());
                    metrics.durable(record.timestamp());
                }
                case SinkOutcome.Duplicate d -> {
                    duplicates++;
                    done.add(record.ref());
                }
                case SinkOutcome.Fenced f -> fenced.add(record.ref());
                case SinkOutcome.Rejected(RejectReason reason, String detail, String exceptionClass) ->
                        deadLetters.publish(record, new Rejection(reason, Rejection.Stage.SINK, detail, exceptionClass, attempts), () -> {
                            metrics.deadLettered(reason);
                            completions.complete(record.ref());
                        });
            }
        }
        metrics.written(written);
        metrics.duplicate(duplicates);
        completions.complete(done);
        if (!fenced.isEmpty()) {
            metrics.fenced(fenced.size());
            log.warn("{} records not written: their partitions were claimed by a newer owner (fenced); the new owner applies them",
                    fenced.size());
            completions.fenced(fenced);
        }
    }

    /** Ends the loops once the queue is empty (after a drain): returns when every thread ended or {@code timeout} passed. */
    public boolean close(Duration timeout) throws InterruptedException {
        closed = true;
        return join(timeout);
    }

    /** Abort: interrupts the sink threads and cancels writes in progress (their transactions roll back). */
    public void cancel() {
        closed = true;
        shards.forEach(shard -> shard.thread().interrupt());
        sink.cancelAll();
    }

    public boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Shard<T> shard : shards) {
            Thread thread = shard.thread();
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !thread.join(Duration.ofNanos(remaining))) {
                return false;
            }
        }
        return true;
    }

    /** Carries a fatal error out of a shard's write loop. */
    private static final class FatalSinkError extends RuntimeException {
        FatalSinkError(Throwable cause) {
            super(cause);
        }
    }
}
