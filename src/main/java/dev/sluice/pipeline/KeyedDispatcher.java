package dev.sluice.pipeline;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs records on virtual threads, one lane per key: records of one key are handled one at a time
 * in the order submitted (the poll order, so offset order), records of different keys in parallel,
 * also within one partition. At most {@code permits} records are being handled at once.
 *
 * <p>A lane is a virtual thread with a queue; it exists while its key has pending records. Lane
 * queues are bounded by the source's in-flight bound, since every queued record is in flight.
 * Records without a key share one lane per partition.
 *
 * <p>Thread-safe: {@link #submit} is called by the poll thread, lanes drain themselves; the lane
 * map, the thread set and {@code cancelled} are guarded by {@code lock}.
 */
public final class KeyedDispatcher {

    /** Handles one record; must not throw (failures are the handler's to route). */
    @FunctionalInterface
    public interface Handler {
        void handle(InboundRecord record) throws InterruptedException;
    }

    private static final Logger log = LoggerFactory.getLogger(KeyedDispatcher.class);

    private final Handler handler;
    private final Semaphore permits;
    private final int permitCount;
    private final ThreadFactory threads = Thread.ofVirtual().name("sluice-work-", 0).factory();
    private final Object lock = new Object();
    /** Guarded by {@code lock}. */
    private final Map<Object, ArrayDeque<InboundRecord>> lanes = new HashMap<>();
    /** Guarded by {@code lock}. */
    private final Set<Thread> running = new HashSet<>();
    /** Guarded by {@code lock}. */
    private boolean cancelled;

    public KeyedDispatcher(int permits, Handler handler) {
        this.handler = handler;
        this.permits = new Semaphore(permits);
        this.permitCount = permits;
    }

    /** Queues {@code record} behind earlier records of its key; never blocks. Dropped once cancelled. */
    public void submit(InboundRecord record) {
        Object key = laneKey(record);
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            ArrayDeque<InboundRecord> lane = lanes.get(key);
            if (lane != null) {
                lane.addLast(record);
                return;
            }
            lane = new ArrayDeque<>(4);
            lane.addLast(record);
            lanes.put(key, lane);
            ArrayDeque<InboundRecord> owned = lane;
            Thread thread = threads.newThread(() -> drainLane(key, owned));
            running.add(thread);
            thread.start();
        }
    }

    private void drainLane(Object key, ArrayDeque<InboundRecord> lane) {
        try {
            while (true) {
                InboundRecord next;
                synchronized (lock) {
                    next = cancelled ? null : lane.pollFirst();
                    if (next == null) {
                        lanes.remove(key, lane);
                        return;
                    }
                }
                permits.acquire();
                try {
                    synchronized (lock) {
                        if (cancelled) {
                            return; // cancelled while waiting for a permit: start nothing new
                        }
                    }
                    handler.handle(next);
                } finally {
                    permits.release();
                }
            }
        } catch (InterruptedException e) {
            // cancelled: the record stays incomplete and is redelivered after the abort
        } catch (RuntimeException | Error e) {
            log.error("worker lane failed; its records stay in flight until abort or restart", e);
        } finally {
            synchronized (lock) {
                lanes.remove(key, lane);
                running.remove(Thread.currentThread());
                lock.notifyAll();
            }
        }
    }

    /** Interrupts every worker and drops queued records (abort); they stay incomplete. */
    public void cancel() {
        synchronized (lock) {
            cancelled = true;
            running.forEach(Thread::interrupt);
        }
    }

    /** Waits up to {@code timeout} for every worker thread to end; true if they did. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!running.isEmpty()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, remaining / 1_000_000));
            }
            return true;
        }
    }

    /** Records being handled right now. */
    public int busy() {
        return permitCount - permits.availablePermits();
    }

    /** Keys with pending or running records. */
    public int activeLanes() {
        synchronized (lock) {
            return lanes.size();
        }
    }

    private static Object laneKey(InboundRecord record) {
        return record.key() == null ? record.ref().partition() : ByteBuffer.wrap(record.key());
    }
}
