package dev.sluice.offsets;

import java.util.Arrays;

/**
 * The polled, not yet committed offsets of one partition assignment, in poll order, each marked
 * complete or not. Offsets arrive strictly increasing (Kafka's order within a partition) but may
 * have gaps (compaction, transaction markers), so membership is found by binary search.
 *
 * <p>Not thread-safe: owned by the {@link OffsetTracker} that owns it.
 */
final class PartitionWindow {

    final long epoch;
    /** Ring buffer of offsets from {@code head}, {@code size} long, strictly increasing. */
    private long[] offsets = new long[64];
    private boolean[] done = new boolean[64];
    /** When each offset was polled (System.nanoTime), for the age of the oldest incomplete record. */
    private long[] polledAt = new long[64];
    /** When each offset was completed (System.nanoTime as given to {@link #complete}), for the commit latency. */
    private long[] completedAt = new long[64];
    private int head;
    private int size;
    private int incomplete;
    /** Highest offset ever polled in this assignment, or -1. */
    private long lastPolled = -1;
    /**
     * The consumer's next fetch offset as of the last poll, or -1: above {@code lastPolled + 1} when
     * the fetch ended in records no one sees (transaction markers, aborted records, compacted gaps).
     */
    private long fetchedTo = -1;
    /**
     * The offset a restart would read from, as far as this assignment knows: the last offset it
     * committed, or before that the first offset it polled (where the group's position stood).
     * -1 until the first poll.
     */
    private long committed = -1;

    PartitionWindow(long epoch) {
        this.epoch = epoch;
    }

    void track(long offset, long polledAtNanos) {
        if (offset <= lastPolled) {
            throw new IllegalArgumentException("offset " + offset + " not after last polled " + lastPolled);
        }
        if (lastPolled < 0) {
            committed = offset;
        }
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) % offsets.length;
        offsets[slot] = offset;
        done[slot] = false;
        polledAt[slot] = polledAtNanos;
        completedAt[slot] = 0;
        size++;
        incomplete++;
        lastPolled = offset;
    }

    /** Marks {@code offset} complete; false when it is not tracked here or already complete. */
    boolean complete(long offset) {
        return complete(offset, 0);
    }

    /** Like {@link #complete(long)}, noting when (System.nanoTime) for the commit latency. */
    boolean complete(long offset, long completedAtNanos) {
        int index = indexOf(offset);
        if (index < 0) {
            return false;
        }
        int slot = (head + index) % offsets.length;
        if (done[slot]) {
            return false;
        }
        done[slot] = true;
        completedAt[slot] = completedAtNanos;
        incomplete--;
        return true;
    }

    /**
     * The low-water mark: the highest offset below which every polled record is complete, i.e.
     * the offset to commit. -1 while nothing was polled.
     */
    long lowWaterMark() {
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            if (!done[slot]) {
                return offsets[slot];
            }
        }
        return Math.max(fetchedTo, lastPolled < 0 ? -1 : lastPolled + 1);
    }

    /**
     * The consumer's position moved to {@code next} (every record below it was either polled here
     * or is one no consumer sees): once the polled ones are complete, the mark may move there, so
     * a transactional topic's committed offset reaches its end and lag tools see zero.
     */
    void fetchedTo(long next) {
        fetchedTo = Math.max(fetchedTo, next);
    }

    /** When the oldest incomplete record was polled, or Long.MAX_VALUE if none is incomplete. */
    long oldestIncompleteNanos() {
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            if (!done[slot]) {
                return polledAt[slot];
            }
        }
        return Long.MAX_VALUE;
    }

    /** The low-water mark if it moved beyond the last commit, else -1. */
    long committable() {
        long mark = lowWaterMark();
        return mark > committed ? mark : -1;
    }

    /** Records that {@code offset} was committed and forgets every entry below it. */
    void committed(long offset) {
        committed(offset, 0, OffsetTracker.CommitTimes.IGNORED);
    }

    /**
     * Like {@link #committed(long)}, reporting for each forgotten record its time from poll to
     * {@code nowNanos} and from completion to {@code nowNanos}.
     */
    void committed(long offset, long nowNanos, OffsetTracker.CommitTimes times) {
        if (offset <= committed) {
            return;
        }
        committed = offset;
        while (size > 0 && offsets[head] < offset) {
            if (!done[head]) {
                throw new IllegalStateException("committed " + offset + " past incomplete offset " + offsets[head]);
            }
            times.committed(nowNanos - polledAt[head], nowNanos - completedAt[head]);
            head = (head + 1) % offsets.length;
            size--;
        }
    }

    int inFlight() {
        return size;
    }

    int incomplete() {
        return incomplete;
    }

    long lastPolled() {
        return lastPolled;
    }

    long committedOffset() {
        return committed;
    }

    private int indexOf(long offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = offsets[(head + mid) % offsets.length];
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private void grow() {
        long[] newOffsets = new long[offsets.length * 2];
        boolean[] newDone = new boolean[offsets.length * 2];
        long[] newPolledAt = new long[offsets.length * 2];
        long[] newCompletedAt = new long[offsets.length * 2];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            newOffsets[i] = offsets[slot];
            newDone[i] = done[slot];
            newPolledAt[i] = polledAt[slot];
            newCompletedAt[i] = completedAt[slot];
        }
        offsets = newOffsets;
        done = newDone;
        polledAt = newPolledAt;
        completedAt = newCompletedAt;
        head = 0;
    }

    @Override
    public String toString() {
        return "PartitionWindow[epoch=" + epoch + ", size=" + size + ", incomplete=" + incomplete
                + ", committed=" + committed + ", lastPolled=" + lastPolled + ", head="
                + (size == 0 ? "-" : Arrays.toString(new long[] {offsets[head]})) + "]";
    }
}
