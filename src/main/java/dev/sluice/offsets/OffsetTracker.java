package dev.sluice.offsets;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns out-of-order completions into committable offsets.
 *
 * <p>The commit rule: per partition, the offset to commit is the <em>low-water mark</em>, the
 * highest offset below which every polled record is complete (durably written or dead-lettered and
 * acknowledged). A record completed above a gap waits until the gap closes, so a crash never skips a
 * record that was not durable. Each assignment of a partition gets a new epoch; completions carrying
 * another epoch belong to an assignment that was revoked and are discarded, never committed.
 *
 * <p>Pure (no I/O, no threads) and not thread-safe: confined to the poll thread.
 */
public final class OffsetTracker {

    /** What happened to a completion. */
    public enum Completion {
        /** Counted: the record's offset may now be committed once the gap below it closes. */
        ACCEPTED,
        /** Its partition is not assigned, or was reassigned since it was polled: ignored. */
        STALE,
        /** Already complete (a repeated completion): ignored. */
        REPEATED
    }

    /**
     * Told, for each record a commit forgets, how long it was in flight (poll to commit: the W of
     * Little's law for the in-flight bound) and how long it waited after completing (durable to
     * committed). Both in nanoseconds of the clock the caller passes; meaningless where the caller
     * gave no times.
     */
    @FunctionalInterface
    public interface CommitTimes {
        CommitTimes IGNORED = (inFlightNanos, durableToCommitNanos) -> { };

        void committed(long inFlightNanos, long durableToCommitNanos);
    }

    private final Map<PartitionId, PartitionWindow> windows = new HashMap<>();
    private long nextEpoch = 1;
    private int inFlight;
    private int incomplete;

    /** Starts a new assignment of {@code partition} and returns its epoch (one this tracker chose). */
    public long assign(PartitionId partition) {
        return assign(partition, nextEpoch++);
    }

    /**
     * Starts a new assignment of {@code partition} under an epoch chosen elsewhere: the owner epoch
     * of an exactly-once claim, which rises with every claim of the partition, so it differs from
     * the epoch of every earlier assignment. A tracker takes its epochs from one source only.
     */
    public long assign(PartitionId partition, long epoch) {
        if (epoch <= 0) {
            throw new IllegalArgumentException("epoch must be positive, was " + epoch);
        }
        revoke(partition);
        windows.put(partition, new PartitionWindow(epoch));
        return epoch;
    }

    /** The epoch of the current assignment of {@code partition}, or -1 if it is not assigned. */
    public long epoch(PartitionId partition) {
        PartitionWindow window = windows.get(partition);
        return window == null ? -1 : window.epoch;
    }

    /** Records that {@code offset} was polled; offsets must increase within an assignment. */
    public RecordRef track(PartitionId partition, long offset, int bytes) {
        return track(partition, offset, bytes, 0);
    }

    /** Like {@link #track(PartitionId, long, int)}, noting when it was polled (System.nanoTime). */
    public RecordRef track(PartitionId partition, long offset, int bytes, long polledAtNanos) {
        PartitionWindow window = windows.get(partition);
        if (window == null) {
            throw new IllegalStateException("partition " + partition + " is not assigned");
        }
        window.track(offset, polledAtNanos);
        inFlight++;
        incomplete++;
        return new RecordRef(partition, window.epoch, offset, bytes);
    }

    /** The consumer's next fetch offset for {@code partition} after a poll (see {@link PartitionWindow#fetchedTo}). */
    public void fetchedTo(PartitionId partition, long next) {
        PartitionWindow window = windows.get(partition);
        if (window != null) {
            window.fetchedTo(next);
        }
    }

    public Completion complete(RecordRef ref) {
        return complete(ref, 0);
    }

    /** Like {@link #complete(RecordRef)}, noting when it completed (System.nanoTime) for the commit latency. */
    public Completion complete(RecordRef ref, long completedAtNanos) {
        PartitionWindow window = windows.get(ref.partition());
        if (window == null || window.epoch != ref.epoch()) {
            return Completion.STALE;
        }
        if (!window.complete(ref.offset(), completedAtNanos)) {
            return Completion.REPEATED;
        }
        incomplete--;
        return Completion.ACCEPTED;
    }

    /** Partitions whose low-water mark moved past their last commit, with the offset to commit. */
    public Map<PartitionId, Long> committable() {
        return committable(windows.keySet());
    }

    /** Like {@link #committable()}, limited to {@code partitions}. */
    public Map<PartitionId, Long> committable(Collection<PartitionId> partitions) {
        Map<PartitionId, Long> result = new LinkedHashMap<>();
        for (PartitionId partition : List.copyOf(partitions)) {
            PartitionWindow window = windows.get(partition);
            if (window != null) {
                long mark = window.committable();
                if (mark >= 0) {
                    result.put(partition, mark);
                }
            }
        }
        return result;
    }

    /** Records a successful commit of {@code offsets}; entries below them are forgotten. */
    public void committed(Map<PartitionId, Long> offsets) {
        committed(offsets, 0, CommitTimes.IGNORED);
    }

    /**
     * Like {@link #committed(Map)}, at {@code nowNanos} (System.nanoTime): {@code times} is told each
     * forgotten record's time in flight and time from completion to this commit.
     */
    public void committed(Map<PartitionId, Long> offsets, long nowNanos, CommitTimes times) {
        offsets.forEach((partition, offset) -> {
            PartitionWindow window = windows.get(partition);
            if (window != null) {
                int before = window.inFlight();
                window.committed(offset, nowNanos, times);
                inFlight -= before - window.inFlight();
            }
        });
    }

    /**
     * Forgets {@code partition}. Its incomplete records stay with the workers; their completions
     * will be {@link Completion#STALE}. Returns how many records were still incomplete.
     */
    public int revoke(PartitionId partition) {
        PartitionWindow window = windows.remove(partition);
        if (window == null) {
            return 0;
        }
        inFlight -= window.inFlight();
        incomplete -= window.incomplete();
        return window.incomplete();
    }

    /** Records polled and not yet committed, over all assigned partitions. */
    public int inFlight() {
        return inFlight;
    }

    /** Records polled and not yet complete, over all assigned partitions. */
    public int incomplete() {
        return incomplete;
    }

    /** Records of {@code partitions} polled and not yet complete. */
    public int incomplete(Collection<PartitionId> partitions) {
        int total = 0;
        for (PartitionId partition : partitions) {
            PartitionWindow window = windows.get(partition);
            total += window == null ? 0 : window.incomplete();
        }
        return total;
    }

    /** When the oldest incomplete record still tracked was polled, or Long.MAX_VALUE if none. */
    public long oldestIncompleteNanos() {
        long oldest = Long.MAX_VALUE;
        for (PartitionWindow window : windows.values()) {
            oldest = Math.min(oldest, window.oldestIncompleteNanos());
        }
        return oldest;
    }

    /** A point-in-time view of each assigned partition, for status reports. */
    public Map<PartitionId, PartitionProgress> progress() {
        Map<PartitionId, PartitionProgress> result = new LinkedHashMap<>();
        windows.forEach((partition, window) -> result.put(partition, new PartitionProgress(
                window.committedOffset(), window.lowWaterMark(), window.lastPolled(), window.inFlight(), window.incomplete())));
        return result;
    }

    /**
     * One partition's offsets.
     *
     * @param committed last committed offset (the next offset a restart reads), -1 if none yet
     * @param completed the low-water mark: everything below it is durable; -1 if nothing polled
     * @param lastPolled highest offset polled, -1 if none
     * @param inFlight records polled and not yet committed
     * @param incomplete records polled and not yet durable
     */
    public record PartitionProgress(long committed, long completed, long lastPolled, int inFlight, int incomplete) {
    }
}
