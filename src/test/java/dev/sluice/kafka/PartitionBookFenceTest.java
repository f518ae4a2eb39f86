package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.kafka.PartitionOwnership.ReclaimBackoff;
import dev.sluice.offsets.AppliedOffsets;
import dev.sluice.offsets.PartitionId;
import dev.sluice.offsets.RecordRef;
import dev.sluice.pipeline.PrefetchGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The book's side of a fence: what is forgotten, where fetching starts again, and the claim after it. */
class PartitionBookFenceTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    /** Re-claims are due at once, so the test needs no clock. */
    private final PartitionBook book = new PartitionBook(new PrefetchGate(1000, 1 << 20, 100, 1 << 18, 0.5),
            new PartitionOwnership(failures -> 0, new ReclaimBackoff(Duration.ofNanos(1), Duration.ofNanos(1))));

    @Test
    void aFencedPartitionRestartsAtItsLowWaterMarkAndItsRecordsInWorkCompleteAsStale() {
        book.awaitClaim(P0);
        book.awaitClaim(P1);
        book.claimed(P0, 3, AppliedOffsets.NONE, 100);
        book.claimed(P1, 3, AppliedOffsets.NONE, 0);
        PartitionId id = book.idOf(P0);
        RecordRef first = book.track(id, record(P0, 100), 0);
        RecordRef second = book.track(id, record(P0, 101), 0);
        RecordRef third = book.track(id, record(P0, 102), 0);
        book.absorb(List.of(first));

        Map<TopicPartition, PartitionBook.Fence> fenced = book.fenced(List.of(third));

        assertThat(fenced).containsOnlyKeys(P0);
        assertThat(fenced.get(P0).restartAt()).as("everything below 101 is durable").isEqualTo(101);
        assertThat(fenced.get(P0).discarded()).isEqualTo(2);
        assertThat(book.idOf(P0)).as("not processed while fenced").isNull();
        assertThat(book.fetchable(List.of(P0, P1))).containsExactly(P1);
        assertThat(book.committable(List.of(P0))).as("never committed past while fenced").isEmpty();
        assertThat(book.view().get("t-0").ownership()).isEqualTo("fenced");
        assertThat(book.view().get("t-0").epoch()).isEqualTo(3);
        assertThat(book.inFlight()).as("the one still in work stays counted until it completes").isEqualTo(1);

        book.absorb(List.of(second));
        assertThat(book.inFlight()).isZero();
        assertThat(book.fenced(List.of(second))).as("a second fenced batch of the same epoch").isEmpty();
    }

    @Test
    void aFencedPartitionIsDueForItsClaimAgainAndOwnedUnderTheNewEpoch() {
        book.awaitClaim(P0);
        book.claimed(P0, 3, AppliedOffsets.NONE, 0);
        book.fenced(List.of(new RecordRef(new PartitionId("t", 0), 3, 0, 1)));
        assertThat(book.anyUnowned()).isTrue();

        assertThat(book.claimsDue()).containsExactly(P0);
        assertThat(book.view().get("t-0").ownership()).isEqualTo("claiming");
        book.claimed(P0, 5, AppliedOffsets.of(0, new long[] {7}), 0);

        assertThat(book.idOf(P0)).isNotNull();
        assertThat(book.anyUnowned()).isFalse();
        assertThat(book.view().get("t-0").ownership()).isEqualTo("owned");
        assertThat(book.view().get("t-0").epoch()).isEqualTo(5);
        assertThat(book.skip(P0, book.idOf(P0), record(P0, 6), 0)).isFalse();
        assertThat(book.skip(P0, book.idOf(P0), record(P0, 7), 0)).as("durable before the fence: skipped").isTrue();
        assertThat(book.fenced(List.of(new RecordRef(new PartitionId("t", 0), 3, 8, 1))))
                .as("a late fence of the old epoch leaves the new ownership alone").isEmpty();
    }

    @Test
    void aRecordSkippedAsDurableFeedsTheCommitLatencyFromItsPollNotFromTheClocksOrigin() {
        List<Long> latencies = new java.util.ArrayList<>();
        PartitionBook timed = new PartitionBook(new PrefetchGate(1000, 1 << 20, 100, 1 << 18, 0.5,
                new dev.sluice.pipeline.AdaptiveWindow(new dev.sluice.pipeline.AdaptiveWindow.Settings(false, 100, 1000, 2.0, 0.25,
                        1_000_000_000L, 3), 0), latencies::add),
                new PartitionOwnership(failures -> 0, new ReclaimBackoff(Duration.ofNanos(1), Duration.ofNanos(1))));
        timed.awaitClaim(P0);
        timed.claimed(P0, 1, AppliedOffsets.of(0, new long[] {5}), 5);
        long polledAt = System.nanoTime();

        assertThat(timed.skip(P0, timed.idOf(P0), record(P0, 5), polledAt)).isTrue();
        timed.committed(Map.of(P0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(6)));

        assertThat(latencies).hasSize(1);
        assertThat(Duration.ofNanos(latencies.getFirst())).as("durable → committed of a skipped record")
                .isLessThan(Duration.ofNanos(System.nanoTime() - polledAt).plusMillis(1));
    }

    @Test
    void aFencedPartitionWithNothingPolledRestartsWhereItsClaimStarted() {
        book.awaitClaim(P0);
        book.claimed(P0, 2, AppliedOffsets.NONE, 40);

        assertThat(book.fenced(List.of(new RecordRef(new PartitionId("t", 0), 2, 39, 1))).get(P0).restartAt()).isEqualTo(40);
    }

    @Test
    void aRevocationForgetsAFencedPartition() {
        book.awaitClaim(P0);
        book.claimed(P0, 2, AppliedOffsets.NONE, 0);
        book.fenced(List.of(new RecordRef(new PartitionId("t", 0), 2, 0, 1)));

        book.revoke(List.of(P0));

        assertThat(book.view()).isEmpty();
        assertThat(book.claimsDue()).isEmpty();
        assertThat(book.anyUnowned()).isFalse();
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset) {
        return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, new byte[] {1}, new byte[] {2});
    }
}
