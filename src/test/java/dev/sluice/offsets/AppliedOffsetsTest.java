package dev.sluice.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AppliedOffsetsTest {

    @Test
    void resumesPastTheBaseAndTheContiguousRunOfAppliedOffsetsAboveIt() {
        AppliedOffsets applied = AppliedOffsets.of(100, new long[] {103, 100, 101, 102, 107, 90});

        assertThat(applied.resumeFrom(95)).as("the base wins over an older committed offset, then 100..103 are durable").isEqualTo(104);
        assertThat(applied.resumeFrom(105)).as("a committed offset past the run: nothing to skip at it").isEqualTo(105);
        assertThat(applied.resumeFrom(107)).isEqualTo(108);
        assertThat(AppliedOffsets.NONE.resumeFrom(42)).isEqualTo(42);
    }

    @Test
    void skipsExactlyTheDurableRecordsAboveAGap() {
        AppliedOffsets applied = AppliedOffsets.of(10, new long[] {13, 15, 16, 20});
        List<Long> skipped = new ArrayList<>();
        for (long offset = 8; offset <= 22; offset++) {
            if (applied.contains(offset)) {
                skipped.add(offset);
            }
        }
        assertThat(skipped).as("below the base, and the applied offsets; 11, 12, 14, 17.. are processed")
                .containsExactly(8L, 9L, 13L, 15L, 16L, 20L);
        assertThat(applied.exhaustedAt(20)).isFalse();
        assertThat(applied.exhaustedAt(21)).isTrue();
    }

    @Test
    void asksRepeatedAtTheSameOffsetGetTheSameAnswer() {
        // a poll cut at the byte bound seeks back to the first record not handed over and asks again
        AppliedOffsets applied = AppliedOffsets.of(0, new long[] {5, 6});
        assertThat(applied.contains(5)).isTrue();
        assertThat(applied.contains(5)).isTrue();
        assertThat(applied.contains(6)).isTrue();
        assertThat(applied.contains(7)).isFalse();
        assertThat(applied.contains(7)).isFalse();
    }

    @Test
    void matchesASetModelOverRandomStates() {
        SplittableRandom random = new SplittableRandom(13);
        for (int round = 0; round < 2_000; round++) {
            long base = random.nextInt(50);
            long[] offsets = random.longs(random.nextInt(30), 0, 120).toArray();
            TreeSet<Long> durable = new TreeSet<>();
            for (long offset : offsets) {
                durable.add(offset);
            }
            AppliedOffsets applied = AppliedOffsets.of(base, offsets);
            long position = random.nextInt(130);
            long resume = applied.resumeFrom(position);
            long expectedResume = Math.max(position, base);
            while (durable.contains(expectedResume)) {
                expectedResume++;
            }
            assertThat(resume).as("round %d", round).isEqualTo(expectedResume);
            for (long offset = resume; offset < 130; offset += 1 + random.nextInt(3)) {
                assertThat(applied.contains(offset)).as("round %d offset %d", round, offset)
                        .isEqualTo(offset < base || durable.contains(offset));
            }
        }
    }
}
