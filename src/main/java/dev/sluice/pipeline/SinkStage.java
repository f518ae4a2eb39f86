package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.BatchSink.SinkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches processed records by size and wait, and writes each batch on one of {@code sinkThreads}
 * virtual threads ({@code sluice-sink-N}). A batch belongs to the thread that took it from the
 * queue; once handed to the sink it is never touched by anyone else.
 *
 * <p>Transient failures retry the whole batch with backoff, forever or until cancelled (abort);
 * nothing in it completes meanwhile, so no offset moves past it. The queue is bounded by the
 * in-flight bound: a worker blocks in {@link #put} only when the sink is that far behind, and the
 * source has paused long before.
 */
public final class SinkStage<T> {

    private static final Logger log = LoggerFactory.getLogger(SinkStage.class);
    private static final long IDLE_POLL_MILLIS = 50;

    private final BlockingQueue<SinkItem<T>> queue;
    private final BatchSink<T> sink;
    private final DeadLetters deadLetters;
    private final Completions completions;
    private final Backoff backoff;
    private final FlowMetrics metrics;
    private final int maxSize;
    private final long maxWaitNanos;
    private final List<Thread> threads = new ArrayList<>();
    /** Set once to end the loops: after a drain completed, or on abort. */
    private volatile boolean closed;

    public SinkStage(BatchProperties batch, int maxInFlight, BatchSink<T> sink, DeadLetters deadLetters,
            Completions completions, Backoff backoff, FlowMetrics metrics) {
        this.queue = new ArrayBlockingQueue<>(maxInFlight);
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.completions = completions;
        this.backoff = backoff;
        this.metrics = metrics;
        this.maxSize = batch.maxSize();
        this.maxWaitNanos = batch.maxWait().toNanos();
        for (int i = 0; i < batch.sinkThreads(); i++) {
            threads.add(Thread.ofVirtual().name("sluice-sink-" + i).unstarted(this::loop));
        }
    }

    public void start() {
        threads.forEach(Thread::start);
    }

    /** Hands a processed record over; blocks only while the queue holds the whole in-flight bound. */
    public void put(SinkItem<T> item) throws InterruptedException {
        queue.put(item);
    }

    public int queued() {
        return queue.size();
    }

    private void loop() {
        try {
            while (!closed) {
                SinkItem<T> first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    write(collect(first));
                }
            }
        } catch (InterruptedException e) {
            // abort: the batch in hand stays incomplete and is redelivered later
        }
    }

    private List<SinkItem<T>> collect(SinkItem<T> first) throws InterruptedException {
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
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            try {
                outcomes = sink.write(batch);
                metrics.batch(batch.size(), System.nanoTime() - started);
                break;
            } catch (TransientSinkException | RuntimeException e) {
                // a bug in a sink is retried like an outage: visible, never a silently dead sink thread
                if (closed) {
                    throw new InterruptedException("sink stage cancelled");
                }
                String cause = e instanceof TransientSinkException t ? t.causeName() : "unexpected-" + e.getClass().getSimpleName();
                metrics.retried("sink", cause);
                Duration delay = backoff.delay(attempt);
                if (attempt == 1 || attempt % 10 == 0) {
                    log.warn("batch of {} not written (attempt {}, {}: {}); retrying in {} ms", batch.size(), attempt,
                            cause, e.getMessage(), delay.toMillis());
                }
                Thread.sleep(delay);
            }
        }
        List<RecordRef> done = new ArrayList<>(batch.size());
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
                case SinkOutcome.Rejected(RejectReason reason, String detail) ->
                        deadLetters.publish(record, reason, detail, () -> {
                            metrics.deadLettered(reason);
                            completions.complete(record.ref());
                        });
            }
        }
        metrics.written(written);
        metrics.duplicate(duplicates);
        completions.complete(done);
    }

    /** Ends the loops once the queue is empty (after a drain): returns when every thread ended or {@code timeout} passed. */
    public boolean close(Duration timeout) throws InterruptedException {
        closed = true;
        return join(timeout);
    }

    /** Abort: interrupts the sink threads and cancels writes in progress (their transactions roll back). */
    public void cancel() {
        closed = true;
        threads.forEach(Thread::interrupt);
        sink.cancelAll();
    }

    public boolean join(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !thread.join(Duration.ofNanos(remaining))) {
                return false;
            }
        }
        return true;
    }
}
