package dev.sluice.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.offsets.OffsetTracker.Completion;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private static final PartitionId P0 = new PartitionId("payments", 0);
    private static final PartitionId P1 = new PartitionId("payments", 1);

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void commitsNothingUntilTheFirstRecordIsComplete() {
        tracker.assign(P0);
        RecordRef first = tracker.track(P0, 10, 1);
        RecordRef second = tracker.track(P0, 11, 1);
        tracker.complete(second);
        assertThat(tracker.committable()).isEmpty();
        tracker.complete(first);
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 12L));
    }

    @Test
    void aGapHoldsTheMarkUntilItCloses() {
        tracker.assign(P0);
        List<RecordRef> refs = new ArrayList<>();
        for (long offset = 0; offset < 5; offset++) {
            refs.add(tracker.track(P0, offset, 1));
        }
        tracker.complete(refs.get(0));
        tracker.complete(refs.get(1));
        tracker.complete(refs.get(3));
        tracker.complete(refs.get(4));
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 2L));
        tracker.complete(refs.get(2));
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 5L));
    }

    @Test
    void offsetsWithGapsFromCompactionCommitPastTheLastPolled() {
        tracker.assign(P0);
        RecordRef a = tracker.track(P0, 3, 1);
        RecordRef b = tracker.track(P0, 7, 1);
        tracker.complete(b);
        tracker.complete(a);
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 8L));
    }

    @Test
    void committedEntriesAreForgottenAndNotCommittedTwice() {
        tracker.assign(P0);
        RecordRef a = tracker.track(P0, 0, 1);
        RecordRef b = tracker.track(P0, 1, 1);
        tracker.complete(a);
        tracker.committed(tracker.committable());
        assertThat(tracker.inFlight()).isEqualTo(1);
        assertThat(tracker.committable()).isEmpty();
        tracker.complete(b);
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 2L));
    }

    @Test
    void aCommitReportsEachForgottenRecordsTimeInFlightAndSinceItCompleted() {
        tracker.assign(P0);
        RecordRef a = tracker.track(P0, 0, 1, 1_000);
        RecordRef b = tracker.track(P0, 1, 1, 1_500);
        RecordRef c = tracker.track(P0, 2, 1, 2_000);
        tracker.complete(b, 3_000);
        tracker.complete(a, 4_000);
        List<long[]> times = new ArrayList<>();
        tracker.committed(tracker.committable(), 10_000, (inFlight, sinceDurable) -> times.add(new long[] {inFlight, sinceDurable}));
        assertThat(times).as("only the records the commit forgets, in offset order")
                .containsExactly(new long[] {9_000, 6_000}, new long[] {8_500, 7_000});
        tracker.complete(c, 11_000);
        times.clear();
        tracker.committed(tracker.committable(), 12_000, (inFlight, sinceDurable) -> times.add(new long[] {inFlight, sinceDurable}));
        assertThat(times).containsExactly(new long[] {10_000, 1_000});
    }

    @Test
    void repeatedCompletionsAreIgnored() {
        tracker.assign(P0);
        RecordRef a = tracker.track(P0, 0, 1);
        assertThat(tracker.complete(a)).isEqualTo(Completion.ACCEPTED);
        assertThat(tracker.complete(a)).isEqualTo(Completion.REPEATED);
        assertThat(tracker.incomplete()).isZero();
    }

    @Test
    void completionsOfARevokedAssignmentAreStaleEvenAfterReassignment() {
        tracker.assign(P0);
        RecordRef old = tracker.track(P0, 5, 1);
        assertThat(tracker.revoke(P0)).as("incomplete at revoke").isEqualTo(1);
        assertThat(tracker.complete(old)).isEqualTo(Completion.STALE);

        tracker.assign(P0);
        RecordRef fresh = tracker.track(P0, 5, 1);
        assertThat(tracker.complete(old)).as("same offset, older epoch").isEqualTo(Completion.STALE);
        assertThat(tracker.committable()).isEmpty();
        assertThat(tracker.complete(fresh)).isEqualTo(Completion.ACCEPTED);
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 6L));
    }

    @Test
    void partitionsAreIndependent() {
        tracker.assign(P0);
        tracker.assign(P1);
        RecordRef a = tracker.track(P0, 0, 1);
        tracker.track(P1, 0, 1);
        tracker.complete(a);
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 1L));
        assertThat(tracker.committable(List.of(P1))).isEmpty();
        assertThat(tracker.incomplete(List.of(P1))).isEqualTo(1);
    }

    @Test
    void rejectsOffsetsThatDoNotIncrease() {
        tracker.assign(P0);
        tracker.track(P0, 4, 1);
        assertThatThrownBy(() -> tracker.track(P0, 4, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tracker.track(P1, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWindowLargerThanItsInitialCapacityStillFindsEveryOffset() {
        tracker.assign(P0);
        List<RecordRef> refs = new ArrayList<>();
        for (long offset = 0; offset < 1000; offset += 2) {
            refs.add(tracker.track(P0, offset, 1));
        }
        Collections.reverse(refs);
        refs.forEach(ref -> assertThat(tracker.complete(ref)).isEqualTo(Completion.ACCEPTED));
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, 999L));
    }

    /**
     * The commit rule under any interleaving: whatever offset is committable, every record below it
     * was completed; and once everything is complete the mark is last polled + 1.
     */
    @Property(tries = 300)
    void neverCommitsPastAnIncompleteRecord(@ForAll @IntRange(min = 1, max = 300) int records,
            @ForAll @LongRange(min = 0, max = 1000) long seed) {
        Random random = new Random(seed);
        OffsetTracker subject = new OffsetTracker();
        subject.assign(P0);
        List<RecordRef> pending = new ArrayList<>();
        boolean[] completed = new boolean[records * 3 + 1];
        long offset = 0;
        long lastPolled = -1;
        long committed = -1;
        int polled = 0;
        while (polled < records || !pending.isEmpty()) {
            int action = random.nextInt(4);
            if (action == 0 && polled < records) {
                offset += 1 + random.nextInt(3);
                pending.add(subject.track(P0, offset, 1));
                lastPolled = offset;
                polled++;
            } else if (action == 1 && !pending.isEmpty()) {
                RecordRef done = pending.remove(random.nextInt(pending.size()));
                assertThat(subject.complete(done)).isEqualTo(Completion.ACCEPTED);
                completed[(int) done.offset()] = true;
            } else if (action == 2) {
                Map<PartitionId, Long> marks = subject.committable();
                if (marks.containsKey(P0)) {
                    long mark = marks.get(P0);
                    assertThat(mark).isGreaterThan(committed);
                    for (RecordRef ref : pending) {
                        assertThat(ref.offset()).as("incomplete record below the mark").isGreaterThanOrEqualTo(mark);
                    }
                    subject.committed(marks);
                    committed = mark;
                }
            }
        }
        Map<PartitionId, Long> finalMark = subject.committable();
        long expected = lastPolled + 1;
        assertThat(committed == expected || finalMark.getOrDefault(P0, -1L) == expected).isTrue();
    }
}
