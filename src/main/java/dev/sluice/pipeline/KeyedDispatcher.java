package dev.sluice.pipeline;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs records on virtual threads, one lane per key: records of one key are handled one at a time
 * in the order submitted (the poll order, so offset order), records of different keys in parallel,
 * also within one partition. At most {@code permits} records are being handled at once.
 *
 * <p>A lane is a queue of one key's pending records; it exists while the key has pending records
 * and is either waiting in {@code ready} or owned by exactly one worker, which runs it until it is
 * empty. Workers are virtual threads ({@code sluice-work-N}), at most {@code permits} of them; a
 * worker whose lane ran dry takes the next ready lane and lingers {@link #LINGER} for one before it
 * ends, so a steady stream reuses workers instead of starting a thread per key (the profile of the
 * throughput benchmark showed thread start-up as the workers' main cost). Lane queues are bounded
 * by the source's in-flight bound, since every queued record is in flight. Records without a key
 * share one lane per partition.
 *
 * <p>Thread-safe: {@link #submit} is called by the poll thread, workers drain lanes; the lane map,
 * the ready queue, the worker set and the idle count are guarded by {@code lock}.
 */
public final class KeyedDispatcher {

    /** Handles one record; must not throw (failures are the handler's to route). */
    @FunctionalInterface
    public interface Handler {
        void handle(InboundRecord record) throws InterruptedException;
    }

    /** How long an idle worker waits for another lane before it ends: covers the gap between polls. */
    static final Duration LINGER = Duration.ofMillis(20);
    private static final Logger log = LoggerFactory.getLogger(KeyedDispatcher.class);

    /** A key's pending records; owned by {@code ready} or by one worker. */
    private record Lane(Object key, ArrayDeque<InboundRecord> records) {
    }

    private final Handler handler;
    private final int permitCount;
    private final ThreadFactory threads = Thread.ofVirtual().name("sluice-work-", 0).factory();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a lane becomes ready; idle workers wait on it. */
    private final Condition work = lock.newCondition();
    /** Signalled when a worker ends; {@link #awaitIdle} waits on it. */
    private final Condition ended = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final Map<Object, Lane> lanes = new HashMap<>();
    /** Lanes with records and no worker; guarded by {@code lock}. */
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();
    /** Guarded by {@code lock}. */
    private final Set<Thread> running = new HashSet<>();
    /** Workers waiting for a ready lane; guarded by {@code lock}. */
    private int idle;
    /** Records being handled now; written by workers. */
    private final AtomicInteger busy = new AtomicInteger();
    /** Guarded by {@code lock}. */
    private boolean cancelled;

    public KeyedDispatcher(int permits, Handler handler) {
        this.handler = handler;
        this.permitCount = permits;
    }

    /** Queues {@code record} behind earlier records of its key; never blocks. Dropped once cancelled. */
    public void submit(InboundRecord record) {
        Object key = laneKey(record);
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            Lane lane = lanes.get(key);
            if (lane != null) {
                lane.records().addLast(record);
                return;
            }
            lane = new Lane(key, new ArrayDeque<>(4));
            lane.records().addLast(record);
            lanes.put(key, lane);
            ready.addLast(lane);
            if (idle > 0) {
                work.signal();
            }
            // a signalled worker counts as idle until it wakes: start one more only when the ready
            // lanes outnumber the waiting workers, or a burst would run on the few that were idle
            if (ready.size() > idle && running.size() < permitCount) {
                Thread thread = threads.newThread(this::work);
                running.add(thread);
                thread.start();
            }
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        try {
            for (Lane lane = nextLane(); lane != null; lane = nextLane()) {
                run(lane);
            }
        } catch (InterruptedException e) {
            // cancelled: the records stay incomplete and are redelivered after the abort
        } catch (RuntimeException | Error e) {
            log.error("worker failed; its records stay in flight until abort or restart", e);
        } finally {
            lock.lock();
            try {
                running.remove(Thread.currentThread());
                ended.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The next ready lane, waiting up to {@link #LINGER} for one; null when there is none or on cancel. */
    private Lane nextLane() throws InterruptedException {
        lock.lock();
        try {
            long remaining = LINGER.toNanos();
            while (ready.isEmpty() && !cancelled && remaining > 0) {
                idle++;
                try {
                    remaining = work.awaitNanos(remaining);
                } finally {
                    idle--;
                }
            }
            return cancelled ? null : ready.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Handles the lane's records in order until it is empty, then retires it. */
    private void run(Lane lane) throws InterruptedException {
        while (true) {
            InboundRecord next;
            lock.lock();
            try {
                next = cancelled ? null : lane.records().pollFirst();
                if (next == null) {
                    lanes.remove(lane.key(), lane);
                    return;
                }
            } finally {
                lock.unlock();
            }
            busy.incrementAndGet();
            try {
                handler.handle(next);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    /** Interrupts every worker and drops queued records (abort); they stay incomplete. */
    public void cancel() {
        lock.lock();
        try {
            cancelled = true;
            ready.clear();
            lanes.clear();
            running.forEach(Thread::interrupt);
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} for every worker thread to end; true if they did. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!running.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = ended.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Records being handled right now. */
    public int busy() {
        return busy.get();
    }

    /** Keys with pending or running records. */
    public int activeLanes() {
        lock.lock();
        try {
            return lanes.size();
        } finally {
            lock.unlock();
        }
    }

    private static Object laneKey(InboundRecord record) {
        return record.key() == null ? record.ref().partition() : ByteBuffer.wrap(record.key());
    }
}
