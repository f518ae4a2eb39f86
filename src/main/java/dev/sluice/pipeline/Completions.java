package dev.sluice.pipeline;

import dev.sluice.offsets.RecordRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The hand-off of finished records from workers and sink threads back to the poll thread, which
 * alone touches offsets. Bounded by construction: each entry holds at least one record and at most
 * {@code maxInFlight} records are ever in flight, so {@code offer} cannot fail while that holds.
 *
 * <p>Thread-safe; {@code waker} (the source's {@code consumer.wakeup()}) is called after each
 * hand-off so a poll blocked waiting for data returns to commit.
 */
public final class Completions {

    private final BlockingQueue<List<RecordRef>> queue;
    /** Records a newer owner claimed before they were written (exactly-once mode); bounded like {@code queue}. */
    private final BlockingQueue<List<RecordRef>> fenced;
    private volatile Runnable waker = () -> { };

    public Completions(int maxInFlight) {
        this.queue = new ArrayBlockingQueue<>(maxInFlight);
        this.fenced = new ArrayBlockingQueue<>(maxInFlight);
    }

    public void setWaker(Runnable waker) {
        this.waker = waker;
    }

    public void complete(List<RecordRef> refs) {
        handOver(queue, refs);
    }

    public void complete(RecordRef ref) {
        complete(List.of(ref));
    }

    /**
     * Hands back records that were not written because their partition has a newer owner: they are
     * done here (never committed past by this member), and their partition is no longer ours.
     */
    public void fenced(List<RecordRef> refs) {
        handOver(fenced, refs);
    }

    private void handOver(BlockingQueue<List<RecordRef>> to, List<RecordRef> refs) {
        if (refs.isEmpty()) {
            return;
        }
        if (!to.offer(refs)) {
            throw new IllegalStateException("completion queue full: more records handed back than can be in flight");
        }
        waker.run();
    }

    /** Takes everything handed over so far without blocking. */
    public List<RecordRef> drain() {
        return drain(queue);
    }

    /** Takes every fenced record handed over so far without blocking. */
    public List<RecordRef> drainFenced() {
        return drain(fenced);
    }

    private static List<RecordRef> drain(BlockingQueue<List<RecordRef>> from) {
        if (from.isEmpty()) {
            return List.of();
        }
        List<List<RecordRef>> batches = new ArrayList<>();
        from.drainTo(batches);
        List<RecordRef> refs = new ArrayList<>();
        batches.forEach(refs::addAll);
        return refs;
    }

    /** Waits up to {@code timeoutMillis} for at least one hand-off, then takes everything. */
    public List<RecordRef> await(long timeoutMillis) throws InterruptedException {
        List<RecordRef> first = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return List.of();
        }
        List<RecordRef> refs = new ArrayList<>(first);
        refs.addAll(drain());
        return refs;
    }
}
