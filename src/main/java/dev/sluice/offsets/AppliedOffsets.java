package dev.sluice.offsets;

import java.util.Arrays;

/**
 * What is already durable on one partition when it is claimed (exactly-once mode): every record
 * below {@code durableBelow}, and the offsets of {@code applied} above it — records that committed
 * sink transactions applied although the group's committed offset had not passed them yet (a crash,
 * a revocation, a batch completed above a gap). The source starts at {@link #resumeFrom} and skips
 * every polled record {@link #contains} answers true for, so no effect is applied twice.
 *
 * <p>Not thread-safe: confined to the poll thread. {@link #contains} must be asked in increasing
 * offset order (Kafka's order within a partition); a cursor makes each answer O(1) amortised.
 */
public final class AppliedOffsets {

    /** Nothing durable known: every record is applied. */
    public static final AppliedOffsets NONE = new AppliedOffsets(0, new long[0]);

    private final long durableBelow;
    /** Sorted, distinct, each at or above {@code durableBelow}. */
    private final long[] applied;
    private int cursor;

    private AppliedOffsets(long durableBelow, long[] applied) {
        this.durableBelow = durableBelow;
        this.applied = applied;
    }

    /** From what the progress table holds: a base (0 when none) and applied offsets in any order, repeats allowed. */
    public static AppliedOffsets of(long durableBelow, long[] offsets) {
        long base = Math.max(0, durableBelow);
        long[] above = Arrays.stream(offsets).filter(offset -> offset >= base).sorted().distinct().toArray();
        return new AppliedOffsets(base, above);
    }

    /**
     * Where to read from, given the consumer's position (the group's committed offset): past the
     * durable base, and past the run of applied offsets that follows it, so a crash's
     * durable-but-uncommitted records are not even fetched again where they are contiguous.
     */
    public long resumeFrom(long position) {
        long start = Math.max(position, durableBelow);
        int index = Arrays.binarySearch(applied, start);
        if (index < 0) {
            return start;
        }
        while (index < applied.length && applied[index] == start) {
            start++;
            index++;
        }
        return start;
    }

    /** True when the record at {@code offset} is already durable: it must be skipped, not applied again. */
    public boolean contains(long offset) {
        if (offset < durableBelow) {
            return true;
        }
        while (cursor < applied.length && applied[cursor] < offset) {
            cursor++;
        }
        return cursor < applied.length && applied[cursor] == offset;
    }

    /** True once no polled offset from {@code offset} on can be skipped any more (the set can be dropped). */
    public boolean exhaustedAt(long offset) {
        return offset >= durableBelow && (applied.length == 0 || offset > applied[applied.length - 1]);
    }

    public long durableBelow() {
        return durableBelow;
    }

    /** How many applied offsets above the base were found. */
    public int appliedAbove() {
        return applied.length;
    }

    @Override
    public String toString() {
        return "AppliedOffsets[durableBelow=" + durableBelow + ", appliedAbove=" + applied.length + "]";
    }
}
