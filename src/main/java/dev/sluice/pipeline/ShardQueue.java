package dev.sluice.pipeline;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A sink shard's queue: bounded, FIFO, and able to take a whole poll's records for the shard in
 * one hand-off, under one lock and with one wake-up of the shard's thread ({@link #putAll}), where
 * a queue taking them one by one would wake it for the first and contend with it for the rest.
 *
 * <p>Thread-safe; any number of writers, one reader (the shard's thread).
 */
final class ShardQueue<T> {

    /** How long a writer waiting for room sleeps before it asks again whether to give up. */
    private static final long GIVE_UP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    /** Guarded by {@code lock}. */
    private final ArrayDeque<T> items = new ArrayDeque<>();
    /** Written under {@code lock}, read by anyone (the queued count). */
    private volatile int size;

    ShardQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Appends {@code item}, waiting while the queue is full. */
    void put(T item) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (items.size() >= capacity) {
                notFull.await();
            }
            items.addLast(item);
            size = items.size();
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code batch} in order. While the queue is full it waits for room, asking
     * {@code giveUp} every 50 ms; false when it gave up (the records not appended are dropped).
     */
    boolean putAll(List<T> batch, BooleanSupplier giveUp) throws InterruptedException {
        int next = 0;
        lock.lockInterruptibly();
        try {
            while (true) {
                int room = capacity - items.size();
                int end = Math.min(batch.size(), next + room);
                for (; next < end; next++) {
                    items.addLast(batch.get(next));
                }
                size = items.size();
                notEmpty.signal();
                if (next == batch.size()) {
                    return true;
                }
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                notFull.awaitNanos(GIVE_UP_CHECK_NANOS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The first item, waiting up to {@code timeout} for one; null if none came. */
    T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long remaining = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (remaining <= 0) {
                    return null;
                }
                remaining = notEmpty.awaitNanos(remaining);
            }
            T first = items.pollFirst();
            size = items.size();
            notFull.signalAll();
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} items to {@code to} without waiting; how many it moved. */
    int drainTo(Collection<? super T> to, int max) {
        lock.lock();
        try {
            int moved = 0;
            while (moved < max && !items.isEmpty()) {
                to.add(items.pollFirst());
                moved++;
            }
            if (moved > 0) {
                size = items.size();
                notFull.signalAll();
            }
            return moved;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return size;
    }
}
