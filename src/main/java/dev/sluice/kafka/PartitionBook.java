package dev.sluice.kafka;

import dev.sluice.offsets.AppliedOffsets;
import dev.sluice.offsets.OffsetTracker;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import dev.sluice.pipeline.PrefetchGate;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread's books over its assigned partitions: who owns each ({@link PartitionOwnership}),
 * the {@link OffsetTracker}, which records are in flight (counted against the prefetch bound, bytes
 * included), and the records of revoked or fenced partitions still in work ("orphans": in flight
 * until their stale completion arrives).
 *
 * <p>The tracker knows a partition exactly while it is OWNED, under the epoch it is owned under:
 * this class moves both together. Exactly-once mode claims a partition before it is owned
 * (CLAIMING), and a newer claim fences it (FENCED) until it is claimed again; what each claim found
 * durable already (records to skip) is part of the OWNED state.
 *
 * <p>Translates between Kafka's types and the tracker's. Not thread-safe: confined to the poll
 * thread, like the consumer.
 */
final class PartitionBook {

    private static final Logger log = LoggerFactory.getLogger(PartitionBook.class);

    private final OffsetTracker tracker = new OffsetTracker();
    private final PartitionOwnership ownership;
    private final Map<TopicPartition, PartitionId> ids = new HashMap<>();
    /** Last offset committed per partition in this run, for reports. */
    private final Map<String, Long> lastCommitted = new LinkedHashMap<>();
    private final PrefetchGate gate;
    private int orphans;
    /** Records completed since {@link #countCompletions()}; -1 while not counting. */
    private long completedWhileCounting = -1;

    PartitionBook(PrefetchGate gate, PartitionOwnership ownership) {
        this.gate = gate;
        this.ownership = ownership;
    }

    /** At-least-once: the partition is ours from now, under an epoch of the tracker's choosing. */
    void assign(TopicPartition partition) {
        releaseIfHeld(partition);
        long epoch = tracker.assign(idFor(partition));
        ownership.assignedOwned(partition, epoch, System.nanoTime());
    }

    /** Exactly-once: assigned, not ours to poll until {@link #claimed}. */
    void awaitClaim(TopicPartition partition) {
        releaseIfHeld(partition);
        idFor(partition);
        ownership.assigned(partition, System.nanoTime());
    }

    /** Kafka never assigns a partition twice without revoking it; should it, the old assignment is forgotten first. */
    private void releaseIfHeld(TopicPartition partition) {
        if (ownership.of(partition) != null) {
            log.warn("{} assigned again while {}; forgetting the earlier assignment", partition, ownership.of(partition).state());
            revoke(List.of(partition));
        }
    }

    /**
     * Exactly-once: the claim of {@code partition} succeeded; its records carry {@code epoch}, and
     * fetching starts at {@code from}.
     */
    void claimed(TopicPartition partition, long epoch, AppliedOffsets durable, long from) {
        ownership.claimed(partition, epoch, durable, from, System.nanoTime());
        tracker.assign(ids.get(partition), epoch);
    }

    /** The claim of {@code partition} failed; returns the failures in a row. */
    int claimFailed(TopicPartition partition) {
        return ownership.claimFailed(partition, System.nanoTime());
    }

    /**
     * The partitions to claim now: those waiting for a claim whose backoff passed, and fenced ones
     * whose re-claim backoff passed (they wait for a claim from now on).
     */
    Set<TopicPartition> claimsDue() {
        long now = System.nanoTime();
        Set<TopicPartition> reclaimed = ownership.reclaimDue(now);
        if (!reclaimed.isEmpty()) {
            log.info("re-claiming {}: fenced earlier, still assigned here", reclaimed);
        }
        return ownership.claimsDue(now);
    }

    /** True when a partition waits for a claim or a re-claim (exactly-once). */
    boolean anyUnowned() {
        return ownership.anyUnowned();
    }

    /** The ownership of {@code partition}, or null when it is not assigned here. */
    PartitionOwnership.Ownership ownershipOf(TopicPartition partition) {
        return ownership.of(partition);
    }

    /** Of {@code assignment}, the partitions this member may fetch: the owned ones. */
    Set<TopicPartition> fetchable(Collection<TopicPartition> assignment) {
        return ownership.fetchable(assignment);
    }

    private PartitionId idFor(TopicPartition partition) {
        PartitionId id = new PartitionId(partition.topic(), partition.partition());
        ids.put(partition, id);
        return id;
    }

    /** Forgets {@code partitions}; their incomplete records become orphans. Returns how many. */
    int revoke(Collection<TopicPartition> partitions) {
        int left = 0;
        for (TopicPartition partition : partitions) {
            ownership.released(partition);
            PartitionId id = ids.remove(partition);
            if (id != null) {
                left += tracker.revoke(id);
            }
        }
        orphans += left;
        return left;
    }

    /**
     * The tracker's id of a partition whose records this member processes (look it up once per
     * partition of a poll), or null: not assigned, or not owned (claiming, fenced).
     */
    PartitionId idOf(TopicPartition partition) {
        return ownership.ownedEpoch(partition) < 0 ? null : ids.get(partition);
    }

    /**
     * True when {@code record} of {@code partition} (tracked as {@code id}) is durable already
     * (exactly-once, found by the claim): it is then tracked and completed at once, never processed again.
     */
    boolean skip(TopicPartition partition, PartitionId id, ConsumerRecord<byte[], byte[]> record, long polledAtNanos) {
        if (!(ownership.of(partition) instanceof PartitionOwnership.Owned owned) || owned.durable() == AppliedOffsets.NONE) {
            return false;
        }
        AppliedOffsets durable = owned.durable();
        if (!durable.contains(record.offset())) {
            if (durable.exhaustedAt(record.offset())) {
                ownership.passedDurable(partition);
            }
            return false;
        }
        // done the moment it is polled: its commit latency counts from then, not from the clock's origin
        tracker.complete(tracker.track(id, record.offset(), 0, polledAtNanos), polledAtNanos);
        return true;
    }

    /**
     * Takes records a newer owner fenced (exactly-once). A partition owned under the epoch they
     * carry was claimed by someone else although Kafka still assigns it here: it becomes FENCED —
     * forgotten by the tracker, its records in work orphans — and is returned with the offset to
     * fetch from once it is claimed again (its low-water mark: everything below is durable or
     * dead-lettered; the claim finds what is durable above). Every fenced record then completes as
     * stale. The caller pauses the returned partitions and seeks them there.
     */
    Map<TopicPartition, Fence> fenced(List<RecordRef> refs) {
        Map<TopicPartition, Fence> lost = new LinkedHashMap<>();
        long now = System.nanoTime();
        for (RecordRef ref : refs) {
            TopicPartition partition = new TopicPartition(ref.partition().topic(), ref.partition().partition());
            if (ownership.of(partition) instanceof PartitionOwnership.Owned owned && owned.epoch() == ref.epoch()) {
                OffsetTracker.PartitionProgress progress = tracker.progress().get(ref.partition());
                long restartAt = progress != null && progress.completed() >= 0 ? progress.completed() : owned.claimedFrom();
                int discarded = tracker.revoke(ref.partition());
                orphans += discarded;
                ownership.fenced(partition, ref.epoch(), restartAt, now);
                PartitionOwnership.Fenced fenced = (PartitionOwnership.Fenced) ownership.of(partition);
                lost.put(partition, new Fence(ref.epoch(), restartAt, discarded, (fenced.dueNanos() - now) / 1_000_000,
                        fenced.fences()));
            }
        }
        absorb(refs);
        return lost;
    }

    /**
     * One partition given up to a newer claim.
     *
     * @param restartAt where fetching starts again after the re-claim
     * @param discarded records of the fenced epoch still in work, discarded as they complete
     * @param reclaimInMillis when the re-claim is due
     * @param fences fences in a row
     */
    record Fence(long epoch, long restartAt, int discarded, long reclaimInMillis, int fences) {
    }

    /** What a record counts against the byte bound: its serialized key plus value. */
    static int bytesOf(ConsumerRecord<byte[], byte[]> record) {
        return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
    }

    RecordRef track(PartitionId id, ConsumerRecord<byte[], byte[]> record, long polledAtNanos) {
        int bytes = bytesOf(record);
        gate.added(bytes);
        return tracker.track(id, record.offset(), bytes, polledAtNanos);
    }

    /** The consumer will next fetch {@code next} on {@code partition}: skipped markers count as done. */
    void fetchedTo(TopicPartition partition, long next) {
        PartitionId id = ids.get(partition);
        if (id != null) {
            tracker.fetchedTo(id, next);
        }
    }

    /** Takes completions handed back by workers: releases their bytes and moves the low-water marks. */
    void absorb(List<RecordRef> refs) {
        long now = System.nanoTime();
        for (RecordRef ref : refs) {
            gate.released(ref.bytes());
            switch (tracker.complete(ref, now)) {
                case ACCEPTED -> {
                    if (completedWhileCounting >= 0) {
                        completedWhileCounting++;
                    }
                }
                case STALE -> orphans = Math.max(0, orphans - 1);
                case REPEATED -> log.debug("repeated completion of {} ignored", ref);
            }
        }
    }

    /** Starts counting completions (a stop began); see {@link #completedWhileCounting()}. */
    void countCompletions() {
        if (completedWhileCounting < 0) {
            completedWhileCounting = 0;
        }
    }

    long completedWhileCounting() {
        return Math.max(0, completedWhileCounting);
    }

    /** Records polled and not yet committed, orphans included: what the prefetch bound limits. */
    int inFlight() {
        return tracker.inFlight() + orphans;
    }

    /** Records durable (or dead-lettered) but not yet committed: held only by the commit. */
    int durableUncommitted() {
        return tracker.inFlight() - tracker.incomplete();
    }

    /** Records polled and not yet durable, orphans included. */
    int incomplete() {
        return tracker.incomplete() + orphans;
    }

    int incomplete(Collection<TopicPartition> partitions) {
        return tracker.incomplete(idsOf(partitions));
    }

    /** Offsets to commit (low-water marks that moved) over every assigned partition. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        return toKafka(tracker.committable());
    }

    /** Like {@link #committable()}, for {@code partitions} only. */
    Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        return toKafka(tracker.committable(idsOf(partitions)));
    }

    private static Map<TopicPartition, OffsetAndMetadata> toKafka(Map<PartitionId, Long> marks) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        marks.forEach((id, offset) ->
                offsets.put(new TopicPartition(id.topic(), id.partition()), new OffsetAndMetadata(offset)));
        return offsets;
    }

    /** Records a successful commit of {@code offsets}; returns the marks of the partitions still assigned. */
    Map<PartitionId, Long> committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<PartitionId, Long> marks = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            PartitionId id = ids.get(partition);
            if (id != null) {
                marks.put(id, offset.offset());
            }
            lastCommitted.put(partition.toString(), offset.offset());
        });
        // each forgotten record's times feed the window (λ, W) and sluice.commit.latency
        tracker.committed(marks, System.nanoTime(), gate::committed);
        return marks;
    }

    Map<String, Long> lastCommitted() {
        return Map.copyOf(lastCommitted);
    }

    /** Every assigned partition: its ownership, and its offsets while owned (the last committed otherwise). */
    Map<String, PartitionStatus> view() {
        long now = System.nanoTime();
        Map<PartitionId, OffsetTracker.PartitionProgress> progress = tracker.progress();
        Map<String, PartitionStatus> view = new LinkedHashMap<>();
        ownership.sorted().forEach((partition, owner) -> {
            String name = owner.state().name().toLowerCase(java.util.Locale.ROOT);
            OffsetTracker.PartitionProgress p = owner instanceof PartitionOwnership.Owned ? progress.get(ids.get(partition)) : null;
            long unownedMillis = p != null ? 0 : Math.max(0, (now - owner.sinceNanos()) / 1_000_000);
            view.put(partition.toString(), p != null
                    ? new PartitionStatus(p.committed(), p.completed(), p.lastPolled(), p.inFlight(), name, owner.lastEpoch(), 0)
                    : new PartitionStatus(lastCommitted.getOrDefault(partition.toString(), -1L), -1, -1, 0, name, owner.lastEpoch(),
                            unownedMillis));
        });
        return view;
    }

    /** How many assigned partitions are in each ownership state. */
    Map<PartitionOwnership.State, Integer> ownershipCounts() {
        return ownership.counts();
    }

    /** When the oldest incomplete record was polled (System.nanoTime), or Long.MAX_VALUE. */
    long oldestIncompleteNanos() {
        return tracker.oldestIncompleteNanos();
    }

    private List<PartitionId> idsOf(Collection<TopicPartition> partitions) {
        return partitions.stream().map(ids::get).filter(Objects::nonNull).toList();
    }
}
