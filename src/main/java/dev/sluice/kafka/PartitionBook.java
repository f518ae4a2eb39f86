package dev.sluice.kafka;

import dev.sluice.offsets.AppliedOffsets;
import dev.sluice.offsets.OffsetTracker;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.PipelineStatus.PartitionStatus;
import dev.sluice.pipeline.PrefetchGate;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
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
 * The poll thread's books over its assigned partitions: the {@link OffsetTracker}, which records
 * are in flight (counted against the prefetch bound, bytes included), and the records of revoked
 * partitions still in work ("orphans": in flight until their stale completion arrives).
 *
 * <p>Exactly-once mode adds: partitions assigned but not yet claimed ({@link #awaitClaim}; the
 * tracker knows them from their claim on, under the claim's owner epoch), what each claim found
 * durable already (records to skip), and partitions given up because a newer owner fenced this
 * member's writes ({@link #fenced}; Kafka still assigns them until its rebalance catches up).
 *
 * <p>Translates between Kafka's types and the tracker's. Not thread-safe: confined to the poll
 * thread, like the consumer.
 */
final class PartitionBook {

    private static final Logger log = LoggerFactory.getLogger(PartitionBook.class);

    private final OffsetTracker tracker = new OffsetTracker();
    private final Map<TopicPartition, PartitionId> ids = new HashMap<>();
    /** Last offset committed per partition in this run, for reports. */
    private final Map<String, Long> lastCommitted = new LinkedHashMap<>();
    private final PrefetchGate gate;
    /** Assigned, awaiting their claim (exactly-once): paused, and not in the tracker yet. */
    private final Set<TopicPartition> unclaimed = new HashSet<>();
    /** Assigned by Kafka, but claimed by a newer owner: paused until Kafka revokes them. */
    private final Set<TopicPartition> givenUp = new HashSet<>();
    /** What the claim of each partition found durable, until polling passed it. */
    private final Map<PartitionId, AppliedOffsets> applied = new HashMap<>();
    private int orphans;
    /** Records completed since {@link #countCompletions()}; -1 while not counting. */
    private long completedWhileCounting = -1;

    PartitionBook(PrefetchGate gate) {
        this.gate = gate;
    }

    /** At-least-once: the partition is ours from now, under an epoch of the tracker's choosing. */
    void assign(TopicPartition partition) {
        PartitionId id = idFor(partition);
        givenUp.remove(partition);
        tracker.assign(id);
    }

    /** Exactly-once: assigned, not ours to poll until {@link #claimed}. */
    void awaitClaim(TopicPartition partition) {
        idFor(partition);
        givenUp.remove(partition);
        unclaimed.add(partition);
    }

    /** Exactly-once: the claim of {@code partition} succeeded; its records carry {@code epoch}. */
    void claimed(TopicPartition partition, long epoch, AppliedOffsets durable) {
        if (unclaimed.remove(partition)) {
            PartitionId id = ids.get(partition);
            tracker.assign(id, epoch);
            applied.put(id, durable);
        }
    }

    Set<TopicPartition> unclaimed() {
        return Set.copyOf(unclaimed);
    }

    /** Of {@code assignment}, the partitions this member may fetch: claimed, and not given up. */
    Set<TopicPartition> fetchable(Collection<TopicPartition> assignment) {
        Set<TopicPartition> fetchable = new HashSet<>(assignment);
        fetchable.removeAll(unclaimed);
        fetchable.removeAll(givenUp);
        return fetchable;
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
            unclaimed.remove(partition);
            givenUp.remove(partition);
            PartitionId id = ids.remove(partition);
            if (id != null) {
                left += tracker.revoke(id);
                applied.remove(id);
            }
        }
        orphans += left;
        return left;
    }

    /**
     * The tracker's id of a partition whose records this member processes (look it up once per
     * partition of a poll), or null: not assigned, not claimed yet, or given up.
     */
    PartitionId idOf(TopicPartition partition) {
        PartitionId id = ids.get(partition);
        return id == null || tracker.epoch(id) < 0 ? null : id;
    }

    /**
     * True when the record at {@code offset} of {@code id} is durable already (exactly-once, found
     * by the claim): it is then tracked and completed at once, never processed again.
     */
    boolean skip(PartitionId id, ConsumerRecord<byte[], byte[]> record, long polledAtNanos) {
        AppliedOffsets durable = applied.get(id);
        if (durable == null) {
            return false;
        }
        if (!durable.contains(record.offset())) {
            if (durable.exhaustedAt(record.offset())) {
                applied.remove(id);
            }
            return false;
        }
        tracker.complete(tracker.track(id, record.offset(), 0, polledAtNanos));
        return true;
    }

    /**
     * Takes records a newer owner fenced (exactly-once). A partition whose current assignment they
     * belong to was claimed by another member: it is given up at once — revoked here, its records
     * in work become orphans — and returned, to be paused until Kafka's rebalance revokes it.
     * Every fenced record then completes as stale.
     */
    Set<TopicPartition> fenced(List<RecordRef> refs) {
        Set<TopicPartition> lost = new HashSet<>();
        for (RecordRef ref : refs) {
            if (tracker.epoch(ref.partition()) == ref.epoch()) {
                TopicPartition partition = new TopicPartition(ref.partition().topic(), ref.partition().partition());
                revoke(List.of(partition));
                givenUp.add(partition);
                lost.add(partition);
            }
        }
        absorb(refs);
        return lost;
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

    Map<String, PartitionStatus> view() {
        Map<String, PartitionStatus> view = new LinkedHashMap<>();
        tracker.progress().forEach((id, p) -> view.put(id.toString(),
                new PartitionStatus(p.committed(), p.completed(), p.lastPolled(), p.inFlight())));
        return view;
    }

    /** When the oldest incomplete record was polled (System.nanoTime), or Long.MAX_VALUE. */
    long oldestIncompleteNanos() {
        return tracker.oldestIncompleteNanos();
    }

    private List<PartitionId> idsOf(Collection<TopicPartition> partitions) {
        return partitions.stream().map(ids::get).filter(Objects::nonNull).toList();
    }
}
