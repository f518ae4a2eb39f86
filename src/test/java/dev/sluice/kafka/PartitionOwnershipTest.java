package dev.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.kafka.PartitionOwnership.Claiming;
import dev.sluice.kafka.PartitionOwnership.Fenced;
import dev.sluice.kafka.PartitionOwnership.Owned;
import dev.sluice.kafka.PartitionOwnership.ReclaimBackoff;
import dev.sluice.kafka.PartitionOwnership.State;
import dev.sluice.offsets.AppliedOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionOwnershipTest {

    private static final TopicPartition P0 = new TopicPartition("payments", 0);
    private static final TopicPartition P1 = new TopicPartition("payments", 1);
    private static final long MS = 1_000_000;
    /** Claim retries wait 100 ms × failures; re-claims 1 s, doubling to at most 8 s. */
    private static final long CLAIM_RETRY_MS = 100;
    private static final ReclaimBackoff RECLAIM = new ReclaimBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8));

    private final PartitionOwnership ownership = new PartitionOwnership(failures -> failures * CLAIM_RETRY_MS * MS, RECLAIM);

    @Test
    void anAssignedPartitionIsNotFetchedUntilItsClaimSucceeds() {
        ownership.assigned(P0, 0);

        assertThat(ownership.of(P0).state()).isEqualTo(State.CLAIMING);
        assertThat(ownership.claimsDue(0)).containsExactly(P0);
        assertThat(ownership.fetchable(List.of(P0))).isEmpty();
        assertThat(ownership.ownedEpoch(P0)).isEqualTo(-1);

        ownership.claimed(P0, 3, AppliedOffsets.NONE, 40, 5 * MS);

        assertThat(ownership.of(P0)).isEqualTo(new Owned(3, AppliedOffsets.NONE, 40, 5 * MS, 0));
        assertThat(ownership.fetchable(List.of(P0, P1))).containsExactly(P0);
        assertThat(ownership.claimsDue(10 * MS)).isEmpty();
    }

    @Test
    void aFailedClaimIsDueAgainOnlyAfterItsBackoffWhichGrowsWithEachFailure() {
        ownership.assigned(P0, 0);

        assertThat(ownership.claimFailed(P0, 0)).isEqualTo(1);
        assertThat(ownership.claimsDue(99 * MS)).isEmpty();
        assertThat(ownership.claimsDue(100 * MS)).containsExactly(P0);
        assertThat(ownership.claimFailed(P0, 100 * MS)).isEqualTo(2);
        assertThat(ownership.claimsDue(299 * MS)).isEmpty();
        assertThat(ownership.claimsDue(300 * MS)).containsExactly(P0);
        assertThat(((Claiming) ownership.of(P0)).sinceNanos()).as("not owned since the assignment").isZero();
    }

    @Test
    void aFenceOfTheOwnedEpochMakesThePartitionFencedAndClaimableAgainAfterTheBackoff() {
        ownership.assigned(P0, 0);
        ownership.claimed(P0, 3, AppliedOffsets.NONE, 40, 0);

        assertThat(ownership.fenced(P0, 3, 57, 100 * MS)).isTrue();

        assertThat(ownership.of(P0)).isEqualTo(new Fenced(3, 57, 1100 * MS, 100 * MS, 1));
        assertThat(ownership.fetchable(List.of(P0))).as("not fetched while fenced").isEmpty();
        assertThat(ownership.ownedEpoch(P0)).isEqualTo(-1);
        assertThat(ownership.reclaimDue(1099 * MS)).isEmpty();
        assertThat(ownership.claimsDue(1099 * MS)).isEmpty();

        assertThat(ownership.reclaimDue(1100 * MS)).containsExactly(P0);

        assertThat(ownership.of(P0)).isEqualTo(new Claiming(0, 1100 * MS, 100 * MS, 3, 1));
        assertThat(ownership.claimsDue(1100 * MS)).containsExactly(P0);
        ownership.claimed(P0, 5, AppliedOffsets.NONE, 57, 1200 * MS);
        assertThat(ownership.ownedEpoch(P0)).isEqualTo(5);
    }

    @Test
    void aLateFenceOfAnEarlierEpochOrOfAPartitionNotOwnedChangesNothing() {
        ownership.assigned(P0, 0);
        assertThat(ownership.fenced(P0, 1, 0, 0)).as("claiming").isFalse();
        ownership.claimed(P0, 3, AppliedOffsets.NONE, 0, 0);
        assertThat(ownership.fenced(P0, 2, 0, 0)).as("an earlier epoch").isFalse();
        assertThat(ownership.fenced(P1, 3, 0, 0)).as("not assigned").isFalse();
        assertThat(ownership.ownedEpoch(P0)).isEqualTo(3);

        assertThat(ownership.fenced(P0, 3, 9, 0)).isTrue();
        assertThat(ownership.fenced(P0, 3, 12, 0)).as("the second fenced batch of the same epoch").isFalse();
        assertThat(((Fenced) ownership.of(P0)).restartAt()).as("the first fence's restart position holds").isEqualTo(9);
    }

    @Test
    void fencesInARowWaitLongerUpToTheCapAndAStableOwnershipStartsOver() {
        ownership.assigned(P0, 0);
        long now = 0;
        long epoch = 1;
        List<Long> waits = new ArrayList<>();
        for (int fence = 0; fence < 6; fence++) {
            ownership.claimed(P0, epoch, AppliedOffsets.NONE, 0, now);
            ownership.fenced(P0, epoch, 0, now);
            long due = ((Fenced) ownership.of(P0)).dueNanos();
            waits.add((due - now) / MS);
            now = due;
            ownership.reclaimDue(now);
            epoch += 2;
        }
        assertThat(waits).containsExactly(1000L, 2000L, 4000L, 8000L, 8000L, 8000L);

        ownership.claimed(P0, epoch, AppliedOffsets.NONE, 0, now);
        ownership.fenced(P0, epoch, 0, now + 8000 * MS);
        assertThat(((Fenced) ownership.of(P0)).fences()).as("owned for the cap: starts over").isEqualTo(1);
        assertThat(((Fenced) ownership.of(P0)).dueNanos()).isEqualTo(now + 9000 * MS);
    }

    @Test
    void aClaimMustRaiseTheEpochAboveTheFencedOne() {
        ownership.assigned(P0, 0);
        ownership.claimed(P0, 4, AppliedOffsets.NONE, 0, 0);
        ownership.fenced(P0, 4, 0, 0);
        ownership.reclaimDue(Long.MAX_VALUE / 2);

        assertThatThrownBy(() -> ownership.claimed(P0, 4, AppliedOffsets.NONE, 0, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not above its last epoch 4");
        assertThat(ownership.of(P0).state()).isEqualTo(State.CLAIMING);
    }

    @Test
    void transitionsFromTheWrongStateAreRejectedAndChangeNothing() {
        assertThatThrownBy(() -> ownership.claimed(P0, 1, AppliedOffsets.NONE, 0, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("it is released, not CLAIMING");
        assertThatThrownBy(() -> ownership.claimFailed(P0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ownership.passedDurable(P0)).isInstanceOf(IllegalStateException.class);
        assertThat(ownership.of(P0)).isNull();

        ownership.assigned(P0, 0);
        assertThatThrownBy(() -> ownership.assigned(P0, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it is CLAIMING, not released");
        assertThatThrownBy(() -> ownership.assignedOwned(P0, 1, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ownership.passedDurable(P0)).isInstanceOf(IllegalStateException.class);

        ownership.claimed(P0, 1, AppliedOffsets.NONE, 0, 0);
        Owned owned = (Owned) ownership.of(P0);
        assertThatThrownBy(() -> ownership.claimed(P0, 2, AppliedOffsets.NONE, 0, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it is OWNED, not CLAIMING");
        assertThatThrownBy(() -> ownership.claimFailed(P0, 0)).isInstanceOf(IllegalStateException.class);
        assertThat(ownership.of(P0)).isEqualTo(owned);

        ownership.fenced(P0, 1, 0, 0);
        assertThatThrownBy(() -> ownership.claimed(P0, 2, AppliedOffsets.NONE, 0, 0)).as("fenced: only after reclaimDue")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ownership.passedDurable(P0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void releaseForgetsThePartitionInAnyStateAndItCanBeAssignedAgain() {
        ownership.assigned(P0, 0);
        ownership.assignedOwned(P1, 7, 0);
        assertThat(ownership.released(P0).state()).isEqualTo(State.CLAIMING);
        assertThat(ownership.released(P1).state()).isEqualTo(State.OWNED);
        assertThat(ownership.released(P1)).isNull();
        assertThat(ownership.sorted()).isEmpty();

        ownership.assigned(P0, 0);
        ownership.claimed(P0, 1, AppliedOffsets.NONE, 0, 0);
        assertThat(ownership.ownedEpoch(P0)).as("a new assignment starts its epochs afresh").isEqualTo(1);
    }

    @Test
    void passingTheDurableRecordsDropsThemFromTheOwnedState() {
        AppliedOffsets durable = AppliedOffsets.of(10, new long[] {12});
        ownership.assigned(P0, 0);
        ownership.claimed(P0, 1, durable, 11, 0);
        assertThat(((Owned) ownership.of(P0)).durable()).isSameAs(durable);

        ownership.passedDurable(P0);

        assertThat(((Owned) ownership.of(P0)).durable()).isSameAs(AppliedOffsets.NONE);
        assertThat(ownership.ownedEpoch(P0)).isEqualTo(1);
    }

    @Test
    void countsAndTheAnyUnownedSignalFollowTheStates() {
        ownership.assigned(P0, 0);
        ownership.assignedOwned(P1, 1, 0);
        assertThat(ownership.counts()).containsEntry(State.CLAIMING, 1).containsEntry(State.OWNED, 1).containsEntry(State.FENCED, 0);
        assertThat(ownership.anyUnowned()).isTrue();

        ownership.claimed(P0, 2, AppliedOffsets.NONE, 0, 0);
        assertThat(ownership.anyUnowned()).isFalse();
        ownership.fenced(P1, 1, 0, 0);
        assertThat(ownership.counts()).containsEntry(State.OWNED, 1).containsEntry(State.FENCED, 1);
        assertThat(ownership.anyUnowned()).isTrue();
    }

    @Test
    void reclaimBackoffDoublesWithoutOverflowingAndRefusesABadRange() {
        ReclaimBackoff backoff = new ReclaimBackoff(Duration.ofMillis(10), Duration.ofHours(1));
        assertThat(backoff.delayNanos(1)).isEqualTo(10 * MS);
        assertThat(backoff.delayNanos(2)).isEqualTo(20 * MS);
        assertThat(backoff.delayNanos(64)).isEqualTo(Duration.ofHours(1).toNanos());
        assertThat(backoff.delayNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1).toNanos());
        assertThatThrownBy(() -> new ReclaimBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReclaimBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Random sequences of every event (assignments, claims that succeed or fail, fences of the
     * current and of stale epochs, time passing, re-claims, revocations) on three partitions,
     * checked after each step against a model and the invariants: one state per held partition;
     * only OWNED ones are fetchable and have an epoch; epochs only rise within an assignment; a
     * fenced partition is not claimable before its backoff, which lies between the initial wait and
     * the cap; a rejected transition changes nothing.
     */
    @Test
    void randomEventSequencesKeepTheInvariants() {
        List<TopicPartition> all = List.of(P0, P1, new TopicPartition("payments", 2));
        Map<String, Integer> applied = new HashMap<>();
        Map<String, Integer> rejected = new HashMap<>();
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            PartitionOwnership subject = new PartitionOwnership(failures -> failures * CLAIM_RETRY_MS * MS, RECLAIM);
            Map<TopicPartition, Long> highestEpoch = new HashMap<>();
            long now = 0;
            long epochs = 0;
            for (int step = 0; step < 400; step++) {
                TopicPartition partition = all.get(random.nextInt(all.size()));
                PartitionOwnership.Ownership before = subject.of(partition);
                Map<TopicPartition, PartitionOwnership.Ownership> othersBefore = subject.sorted();
                int kind = random.nextInt(9);
                long epoch = kind == 1 && before != null && random.nextInt(4) == 0 ? before.lastEpoch() : ++epochs;
                long fencedEpoch = before == null ? 1 : before.lastEpoch() - random.nextInt(2);
                boolean legal = switch (kind) {
                    case 0, 7 -> before == null;
                    case 1 -> before instanceof Claiming && epoch > before.lastEpoch();
                    case 2 -> before instanceof Claiming;
                    case 6 -> before instanceof Owned;
                    default -> true;
                };
                String event = List.of("assigned", "claimed", "claimFailed", "fenced", "reclaimDue", "released", "passedDurable",
                        "assignedOwned", "time").get(kind);
                try {
                    switch (kind) {
                        case 0 -> {
                            subject.assigned(partition, now);
                            highestEpoch.remove(partition);
                        }
                        case 1 -> subject.claimed(partition, epoch, AppliedOffsets.of(5, new long[] {7}), 0, now);
                        case 2 -> subject.claimFailed(partition, now);
                        case 3 -> {
                            boolean took = subject.fenced(partition, fencedEpoch, now, now);
                            assertThat(took).as("seed %d step %d: a fence takes exactly the owned epoch", seed, step)
                                    .isEqualTo(before instanceof Owned owned && owned.epoch() == fencedEpoch);
                        }
                        case 4 -> {
                            long at = now;
                            Set<TopicPartition> due = subject.reclaimDue(at);
                            String where = "seed " + seed + " step " + step;
                            othersBefore.forEach((p, o) -> assertThat(due.contains(p))
                                    .as("%s: re-claim due exactly when fenced and past the backoff", where)
                                    .isEqualTo(o instanceof Fenced f && at >= f.dueNanos()));
                        }
                        case 5 -> subject.released(partition);
                        case 6 -> subject.passedDurable(partition);
                        case 7 -> {
                            subject.assignedOwned(partition, epoch, now);
                            highestEpoch.remove(partition);
                        }
                        default -> now += random.nextInt(3) == 0 ? random.nextInt(20_000) * MS : random.nextInt(500) * MS;
                    }
                } catch (IllegalStateException refused) {
                    assertThat(legal).as("seed %d step %d: %s from %s rejected: %s", seed, step, event, before, refused.getMessage())
                            .isFalse();
                    assertThat(subject.sorted()).as("seed %d step %d: a rejected transition changes nothing", seed, step)
                            .isEqualTo(othersBefore);
                    rejected.merge(event, 1, Integer::sum);
                    continue;
                }
                assertThat(legal).as("seed %d step %d: %s from %s must be rejected", seed, step, event, before).isTrue();
                boolean moved = !java.util.Objects.equals(before, subject.of(partition));
                applied.merge(event + (moved ? "" : " (no change)"), 1, Integer::sum);
                checkInvariants(subject, all, highestEpoch, now, seed, step, event);
            }
        }
        // the sequences reach every transition, and every rejection
        assertThat(applied.keySet()).contains("assigned", "assignedOwned", "claimed", "claimFailed", "fenced", "fenced (no change)",
                "released", "passedDurable");
        assertThat(applied.getOrDefault("reclaimDue", 0) + applied.getOrDefault("reclaimDue (no change)", 0)).isPositive();
        assertThat(rejected.keySet()).contains("assigned", "assignedOwned", "claimed", "claimFailed", "passedDurable");
    }

    private static void checkInvariants(PartitionOwnership subject, List<TopicPartition> all, Map<TopicPartition, Long> highestEpoch,
            long now, long seed, int step, String event) {
        String where = "seed " + seed + " step " + step + " after " + event;
        Set<TopicPartition> fetchable = subject.fetchable(all);
        Map<State, Integer> counts = subject.counts();
        assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).as(where).isEqualTo(subject.sorted().size());
        assertThat(subject.anyUnowned()).as(where + ": anyUnowned follows the states")
                .isEqualTo(counts.get(State.CLAIMING) + counts.get(State.FENCED) > 0);
        for (TopicPartition partition : all) {
            PartitionOwnership.Ownership o = subject.of(partition);
            assertThat(fetchable.contains(partition)).as(where + ": fetchable exactly when owned").isEqualTo(o instanceof Owned);
            assertThat(subject.ownedEpoch(partition) >= 0).as(where).isEqualTo(o instanceof Owned);
            if (o == null) {
                continue;
            }
            long previous = highestEpoch.getOrDefault(partition, 0L);
            assertThat(o.lastEpoch()).as(where + ": epochs never fall within an assignment").isGreaterThanOrEqualTo(previous);
            highestEpoch.put(partition, o.lastEpoch());
            switch (o) {
                case Fenced f -> {
                    long wait = f.dueNanos() - f.sinceNanos();
                    assertThat(wait).as(where + ": re-claim wait within [initial, cap]")
                            .isBetween(RECLAIM.initial().toNanos(), RECLAIM.max().toNanos());
                    assertThat(f.fences()).as(where).isPositive();
                    assertThat(subject.claimsDue(now)).as(where + ": a fenced partition is not claimed").doesNotContain(partition);
                }
                case Claiming c -> {
                    assertThat(c.failures()).as(where).isNotNegative();
                    assertThat(c.dueNanos()).as(where).isGreaterThanOrEqualTo(c.sinceNanos());
                }
                case Owned owned -> assertThat(owned.epoch()).as(where).isPositive();
            }
        }
    }
}
