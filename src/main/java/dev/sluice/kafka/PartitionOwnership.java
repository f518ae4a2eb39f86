package dev.sluice.kafka;

import dev.sluice.offsets.AppliedOffsets;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether this member owns each partition Kafka assigned it: one {@link Ownership} value per
 * partition, moved only by the named transitions below (DESIGN.md "Partition ownership").
 *
 * <pre>
 *  (released) ──assigned──────────▶ CLAIMING ──claimed(epoch)──▶ OWNED
 *  (released) ──assignedOwned─────▶ OWNED                 (at-least-once: no claim)
 *  CLAIMING   ──claimFailed───────▶ CLAIMING              (retry after the claim backoff)
 *  OWNED      ──fenced(its epoch)─▶ FENCED                (a later claim raised the epoch)
 *  FENCED     ──reclaimDue────────▶ CLAIMING              (once the re-claim backoff passed)
 *  any        ──released──────────▶ (released)            (Kafka revoked or lost it)
 * </pre>
 *
 * Only an OWNED partition is fetched, and only its records are processed; a claim's epoch is
 * higher than every epoch the partition had before in this assignment (a fence never goes back).
 * A transition from a state it does not start from throws {@link IllegalStateException} and
 * changes nothing; {@link #fenced} is the exception: a fence of an epoch that is not the current
 * one (records of an earlier assignment, a second fenced batch) is an ordinary late signal and
 * answers false.
 *
 * <p>Pure: no I/O, no threads, time passed in ({@code System.nanoTime} values). Not thread-safe:
 * confined to the poll thread, like the consumer.
 */
final class PartitionOwnership {

    /** The states' names, for the status, metrics and logs; released partitions have none. */
    enum State { CLAIMING, OWNED, FENCED }

    /** One partition's ownership. Immutable; a transition replaces it. */
    sealed interface Ownership {

        default State state() {
            return switch (this) {
                case Claiming c -> State.CLAIMING;
                case Owned o -> State.OWNED;
                case Fenced f -> State.FENCED;
            };
        }

        /** The highest owner epoch this member held or saw fenced for the partition in this assignment; 0 if none. */
        long lastEpoch();

        /** Fences in a row (a fence soon after a claim counts on from the one before), for the re-claim backoff. */
        int fences();

        /**
         * System.nanoTime since when it is owned (its claim), or — CLAIMING, FENCED — since when it is
         * not (its assignment or its fence; retries and the re-claim keep that time).
         */
        long sinceNanos();
    }

    /**
     * Assigned, paused, waiting for a claim.
     *
     * @param failures claims of it that failed in a row
     * @param dueNanos when the next claim may be tried
         */
    record Claiming(int failures, long dueNanos, long sinceNanos, long lastEpoch, int fences) implements Ownership {
    }

    /**
     * Claimed: fetched, its records processed under {@code epoch}.
     *
     * @param durable what the claim found durable, to skip, until polling passed it ({@link AppliedOffsets#NONE} then)
     * @param claimedFrom where fetching started after the claim
     */
    record Owned(long epoch, AppliedOffsets durable, long claimedFrom, long sinceNanos, int fences) implements Ownership {
        @Override
        public long lastEpoch() {
            return epoch;
        }
    }

    /**
     * A newer claim fenced {@code fencedEpoch} while Kafka still assigns the partition here: paused,
     * its records in work discarded, claimed again at {@code dueNanos}.
     *
     * @param restartAt the first offset not known durable: fetching starts here again after the re-claim
     */
    record Fenced(long fencedEpoch, long restartAt, long dueNanos, long sinceNanos, int fences) implements Ownership {
        @Override
        public long lastEpoch() {
            return fencedEpoch;
        }
    }

    /**
     * The wait before claiming a fenced partition again: {@code initial}, doubled for each fence in a
     * row, at most {@code max}. A fence after the partition was owned for {@code max} or longer
     * starts over at {@code initial}.
     */
    record ReclaimBackoff(Duration initial, Duration max) {

        ReclaimBackoff {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("re-claim backoff needs 0 < initial <= max, was " + initial + " / " + max);
            }
        }

        /** The wait after fence number {@code fences} (from 1) in a row. */
        long delayNanos(int fences) {
            int doublings = Math.min(Math.max(0, fences - 1), 40);
            long initialNanos = initial.toNanos();
            long maxNanos = max.toNanos();
            return initialNanos > maxNanos >> doublings ? maxNanos : Math.min(maxNanos, initialNanos << doublings);
        }
    }

    private final Map<TopicPartition, Ownership> partitions = new HashMap<>();
    /** How many of {@code partitions} are not OWNED, kept by {@link #move} and {@link #released} (asked every loop). */
    private int unowned;
    /** The wait after claim failure number n (from 1) in a row: the pipeline's transient backoff. */
    private final IntToLongFunction claimRetryNanos;
    private final ReclaimBackoff reclaim;

    PartitionOwnership(IntToLongFunction claimRetryNanos, ReclaimBackoff reclaim) {
        this.claimRetryNanos = claimRetryNanos;
        this.reclaim = reclaim;
    }

    // ---- transitions ----

    /** Exactly-once: Kafka assigned {@code partition}; it waits for its claim, due now. */
    void assigned(TopicPartition partition, long nowNanos) {
        requireReleased(partition, "assigned");
        move(partition, new Claiming(0, nowNanos, nowNanos, 0, 0));
    }

    /** At-least-once: Kafka assigned {@code partition}, which is owned at once under {@code epoch}. */
    void assignedOwned(TopicPartition partition, long epoch, long nowNanos) {
        requireReleased(partition, "assignedOwned");
        move(partition, new Owned(epoch, AppliedOffsets.NONE, -1, nowNanos, 0));
    }

    /** The claim of {@code partition} succeeded with {@code epoch}, higher than any it had here; fetching starts at {@code from}. */
    void claimed(TopicPartition partition, long epoch, AppliedOffsets durable, long from, long nowNanos) {
        Claiming claiming = require(partition, Claiming.class, "claimed");
        if (epoch <= claiming.lastEpoch()) {
            throw new IllegalStateException("claimed " + partition + " at epoch " + epoch + ", not above its last epoch "
                    + claiming.lastEpoch());
        }
        move(partition, new Owned(epoch, durable, from, nowNanos, claiming.fences()));
    }

    /** The claim of {@code partition} failed; it is tried again after the claim backoff. Returns the failures in a row. */
    int claimFailed(TopicPartition partition, long nowNanos) {
        Claiming claiming = require(partition, Claiming.class, "claimFailed");
        int failures = claiming.failures() + 1;
        move(partition, new Claiming(failures, nowNanos + claimRetryNanos.applyAsLong(failures),
                claiming.sinceNanos(), claiming.lastEpoch(), claiming.fences()));
        return failures;
    }

    /** Polling passed everything the claim found durable: nothing more to skip. */
    void passedDurable(TopicPartition partition) {
        Owned owned = require(partition, Owned.class, "passedDurable");
        move(partition, new Owned(owned.epoch(), AppliedOffsets.NONE, owned.claimedFrom(), owned.sinceNanos(),
                owned.fences()));
    }

    /**
     * A sink transaction found {@code epoch} of {@code partition} fenced. When that is the epoch it
     * is owned under, the partition becomes FENCED: fetching resumes at {@code restartAt} once it
     * is claimed again, after the re-claim backoff; returns true. Otherwise (an earlier epoch, or
     * not owned now) the signal is late and changes nothing: false.
     */
    boolean fenced(TopicPartition partition, long epoch, long restartAt, long nowNanos) {
        if (!(partitions.get(partition) instanceof Owned owned) || owned.epoch() != epoch) {
            return false;
        }
        boolean stable = nowNanos - owned.sinceNanos() >= reclaim.max().toNanos();
        int fences = stable ? 1 : owned.fences() + 1;
        move(partition, new Fenced(epoch, restartAt, nowNanos + reclaim.delayNanos(fences), nowNanos, fences));
        return true;
    }

    /** Every FENCED partition whose re-claim backoff has passed becomes CLAIMING, due now; returns them. */
    Set<TopicPartition> reclaimDue(long nowNanos) {
        Set<TopicPartition> due = new LinkedHashSet<>();
        for (Map.Entry<TopicPartition, Ownership> entry : sorted().entrySet()) {
            if (entry.getValue() instanceof Fenced fenced && nowNanos - fenced.dueNanos() >= 0) {
                move(entry.getKey(), new Claiming(0, nowNanos, fenced.sinceNanos(), fenced.fencedEpoch(),
                        fenced.fences()));
                due.add(entry.getKey());
            }
        }
        return due;
    }

    /** Kafka revoked or lost {@code partition}: this member forgets it. Returns what it was, or null if it was not held. */
    Ownership released(TopicPartition partition) {
        Ownership was = partitions.remove(partition);
        if (was != null && !(was instanceof Owned)) {
            unowned--;
        }
        return was;
    }

    // ---- queries ----

    /** The partition's ownership, or null when released (never assigned, revoked or lost). */
    Ownership of(TopicPartition partition) {
        return partitions.get(partition);
    }

    /** The epoch {@code partition} is owned under, or -1 when it is not OWNED. */
    long ownedEpoch(TopicPartition partition) {
        return partitions.get(partition) instanceof Owned owned ? owned.epoch() : -1;
    }

    /** The CLAIMING partitions whose next claim is due at {@code nowNanos}. */
    Set<TopicPartition> claimsDue(long nowNanos) {
        Set<TopicPartition> due = new LinkedHashSet<>();
        sorted().forEach((partition, ownership) -> {
            if (ownership instanceof Claiming claiming && nowNanos - claiming.dueNanos() >= 0) {
                due.add(partition);
            }
        });
        return due;
    }

    /** True when some partition waits for a claim or a re-claim. */
    boolean anyUnowned() {
        return unowned > 0;
    }

    /** Of {@code assignment}, the OWNED partitions: the only ones that may be fetched. */
    Set<TopicPartition> fetchable(Collection<TopicPartition> assignment) {
        Set<TopicPartition> fetchable = new LinkedHashSet<>();
        for (TopicPartition partition : assignment) {
            if (partitions.get(partition) instanceof Owned) {
                fetchable.add(partition);
            }
        }
        return fetchable;
    }

    /** How many partitions are in each state. */
    Map<State, Integer> counts() {
        Map<State, Integer> counts = new EnumMap<>(State.class);
        for (State state : State.values()) {
            counts.put(state, 0);
        }
        partitions.values().forEach(ownership -> counts.merge(ownership.state(), 1, Integer::sum));
        return counts;
    }

    /** Every held partition's ownership, in topic and partition order. */
    Map<TopicPartition, Ownership> sorted() {
        Map<TopicPartition, Ownership> sorted = new TreeMap<>(
                java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        sorted.putAll(partitions);
        return sorted;
    }

    /** Every transition ends here, so {@link #unowned} stays exact. */
    private void move(TopicPartition partition, Ownership next) {
        Ownership was = partitions.put(partition, next);
        unowned += (next instanceof Owned ? 0 : 1) - (was == null || was instanceof Owned ? 0 : 1);
    }

    private void requireReleased(TopicPartition partition, String transition) {
        Ownership current = partitions.get(partition);
        if (current != null) {
            throw new IllegalStateException(transition + " of " + partition + ": it is " + current.state() + ", not released");
        }
    }

    private <O extends Ownership> O require(TopicPartition partition, Class<O> from, String transition) {
        Ownership current = partitions.get(partition);
        if (!from.isInstance(current)) {
            throw new IllegalStateException(transition + " of " + partition + ": it is " + (current == null ? "released"
                    : current.state()) + ", not " + from.getSimpleName().toUpperCase(java.util.Locale.ROOT));
        }
        return from.cast(current);
    }
}
