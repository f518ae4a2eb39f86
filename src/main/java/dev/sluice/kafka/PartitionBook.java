package dev.sluice.kafka;

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
    private int orphans;
    /** Records completed since {@link #countCompletions()}; -1 while not counting. */
    private long completedWhileCounting = -1;

    PartitionBook(PrefetchGate gate) {
        this.gate = gate;
    }

    void assign(TopicPartition partition) {
        PartitionId id = new PartitionId(partition.topic(), partition.partition());
        ids.put(partition, id);
        tracker.assign(id);
    }

    /** Forgets {@code partitions}; their incomplete records become orphans. Returns how many. */
    int revoke(Collection<TopicPartition> partitions) {
        int left = 0;
        for (TopicPartition partition : partitions) {
            PartitionId id = ids.remove(partition);
            if (id != null) {
                left += tracker.revoke(id);
            }
        }
        orphans += left;
        return left;
    }

    /** The tracker's id of an assigned partition (look it up once per partition of a poll). */
    PartitionId idOf(TopicPartition partition) {
        return ids.get(partition);
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

    /** Records a successful commit of {@code offsets}. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
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
