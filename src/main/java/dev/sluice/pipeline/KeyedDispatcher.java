package dev.sluice.pipeline;

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

/**
 * Runs records on virtual threads, one lane per key: records of one key are handled one at a time
 * in the order submitted (the poll order, so offset order), records of different keys in parallel,
 * also within one partition. At most {@link WorkerLimit#current} records are being handled at once;
 * every record handled is a sample of the stage's latency for an adaptive limit.
 *
 * <p>A lane is a queue of one key's pending records; it exists while the key has pending records
 * and is either waiting in {@code ready} or owned by exactly one worker, which runs it until it is
 * empty. Workers are virtual threads ({@code sluice-work-N}), at most the limit of them; a
 * worker whose lane ran dry takes the next ready lane and lingers {@link #LINGER} for one before it
 * ends, so a steady stream reuses workers instead of starting a thread per key (the profile of the
 * throughput benchmark showed thread start-up as the workers' main cost). Lane queues are bounded
 * by the source's in-flight bound, since every queued record is in flight. Records without a key
 * share one lane per partition. When the limit falls, workers beyond it retire as their lane runs
 * dry; when it rises, the worker that saw it starts more for the ready lanes.
 *
 * <p>Thread-safe: {@link #submit} is called by the poll thread, workers drain lanes; the lane map,
 * the ready queue, the worker set and the idle count are guarded by {@code lock}.
 */
public final class KeyedDispatcher implements RecordIntake {

    /** Handles one record; must not throw (failures are the handler's to route). */
    @FunctionalInterface
    public interface Handler {
        void handle(InboundRecord record) throws InterruptedException;
    }

    /** How long an idle worker waits for another lane before it ends: covers the gap between polls. */
    static final Duration LINGER = Duration.ofMillis(20);

    /** A key's pending records; owned by {@code ready} or by one worker. */
    private record Lane(Object key, ArrayDeque<InboundRecord> records) {
    }

    private final Handler handler;
    private final Failures.Listener failures;
    /** Run by a worker right after it retired for lack of work (tests place a submit exactly there). */
    volatile Runnable afterRetire = () -> { };
    private final WorkerLimit limit;
    /** Told of every worker thread started (the {@code sluice.workers.started} count). */
    private final Runnable workerStarted;
    /** True for an adaptive limit: only then is each record's time taken, and can the limit grow under a running worker. */
    private final boolean adaptive;
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
    /** Workers started that have not looked for a lane yet; guarded by {@code lock}. */
    private int pendingStarts;
    /** Records being handled now; written by workers. */
    private final AtomicInteger busy = new AtomicInteger();
    /** Guarded by {@code lock}. */
    private boolean cancelled;

    public KeyedDispatcher(WorkerLimit limit, Handler handler, Failures.Listener failures) {
        this(limit, handler, failures, () -> { });
    }

    /** @param workerStarted told of every worker thread started (on the submitting or a worker thread) */
    public KeyedDispatcher(WorkerLimit limit, Handler handler, Failures.Listener failures, Runnable workerStarted) {
        this.handler = handler;
        this.limit = limit;
        this.workerStarted = workerStarted;
        this.adaptive = limit.adaptive();
        this.failures = failures;
    }

    /** Exactly {@code permits} workers at most. */
    public KeyedDispatcher(int permits, Handler handler, Failures.Listener failures) {
        this(WorkerLimit.fixed(permits), handler, failures);
    }

    /** Queues {@code record} behind earlier records of its key; never blocks. Dropped once cancelled. */
    @Override
    public void submit(InboundRecord record) {
        Object key = record.orderKey();
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
            startWorkersForReadyLanes();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A signalled worker counts as idle until it wakes: start one more only when the ready lanes
     * outnumber the waiting workers (or a burst would run on the few that were idle), within the
     * limit. Caller holds {@code lock}.
     */
    private void startWorkersForReadyLanes() {
        if (ready.size() <= idle + pendingStarts) {
            return;
        }
        int allowed = limit.current();
        while (ready.size() > idle + pendingStarts && running.size() < allowed) {
            Thread thread = threads.newThread(this::work);
            running.add(thread);
            pendingStarts++;
            thread.start();
            workerStarted.run();
        }
    }

    private void work() {
        Thread self = Thread.currentThread();
        try {
            for (Lane lane = nextLane(self, true); lane != null; lane = nextLane(self, false)) {
                run(lane);
            }
            afterRetire.run();
        } catch (InterruptedException e) {
            // cancelled: the records stay incomplete and are redelivered after the abort
            retire(self);
        } catch (Throwable e) {
            // the handler must not throw (RecordWorker routes every record's failure); one that does
            // fails the pipeline, never a silently dead worker whose lane stops
            retire(self);
            failures.failed("worker", e);
        }
    }

    /**
     * The next ready lane, waiting up to {@link #LINGER} for one. When there is none (or on cancel,
     * or when more workers run than the limit now allows) the worker leaves {@code running} in the
     * same critical section as it saw no work, so a submit that comes after that sees a free permit
     * and starts a worker: no lane can wait unserved.
     */
    private Lane nextLane(Thread self, boolean first) throws InterruptedException {
        lock.lock();
        try {
            if (first) {
                pendingStarts--;
            }
            if (running.size() > limit.current()) {
                running.remove(self);
                ended.signalAll();
                return null;
            }
            long remaining = LINGER.toNanos();
            while (ready.isEmpty() && !cancelled && remaining > 0) {
                idle++;
                try {
                    remaining = work.awaitNanos(remaining);
                } finally {
                    idle--;
                }
            }
            Lane lane = cancelled ? null : ready.pollFirst();
            if (lane == null) {
                running.remove(self);
                ended.signalAll();
            }
            return lane;
        } finally {
            lock.unlock();
        }
    }

    private void retire(Thread self) {
        lock.lock();
        try {
            running.remove(self);
            ended.signalAll();
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
                if (adaptive) {
                    startWorkersForReadyLanes(); // the limit may have grown since the last submit
                }
            } finally {
                lock.unlock();
            }
            int busyNow = busy.incrementAndGet();
            long started = adaptive ? System.nanoTime() : 0;
            try {
                handler.handle(next);
            } finally {
                busy.decrementAndGet();
                if (adaptive) {
                    limit.sample(started, System.nanoTime() - started, busyNow);
                }
            }
        }
    }

    /** Interrupts every worker and drops queued records (abort); they stay incomplete. */
    @Override
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
    @Override
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
    @Override
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
}
