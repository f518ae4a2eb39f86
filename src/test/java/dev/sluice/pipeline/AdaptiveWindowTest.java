package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.pipeline.AdaptiveWindow.Decision;
import dev.sluice.pipeline.AdaptiveWindow.Reason;
import dev.sluice.pipeline.AdaptiveWindow.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdaptiveWindowTest {

    private static final long SECOND = 1_000_000_000L;

    /** min 100, max 20,000, headroom 2, hysteresis 0.25, interval 1 s, settle 3. */
    private static Settings settings(boolean adaptive) {
        return new Settings(adaptive, 100, 20_000, 2.0, 0.25, SECOND, 3);
    }

    /** Feeds the rule cumulative counters as a pipeline with the given traffic would produce them. */
    private static final class Traffic {
        AdaptiveWindow rule;
        long now;
        long committed;
        long inFlightNanos;
        long pausedNanos;

        Traffic(Settings settings) {
            rule = new AdaptiveWindow(settings, 0);
        }

        /** One interval of {@code seconds} in which {@code rate}/s were committed after {@code wMillis} each, paused for {@code heldShare} of it. */
        Decision interval(double seconds, double rate, double wMillis, double heldShare) {
            long nanos = (long) (seconds * SECOND);
            long records = Math.round(rate * seconds);
            now += nanos;
            committed += records;
            inFlightNanos += (long) (records * wMillis * 1_000_000);
            pausedNanos += (long) (heldShare * nanos);
            return rule.observe(now, committed, inFlightNanos, pausedNanos);
        }

        Decision interval(double rate, double wMillis, double heldShare) {
            return interval(1.0, rate, wMillis, heldShare);
        }
    }

    @Test
    void startsAtTheMinimumAndFixedModeStaysAtTheBound() {
        assertThat(new AdaptiveWindow(settings(true), 0).current()).isEqualTo(new Decision(100, Reason.STARTING, 0, 0, 0));
        Traffic fixed = new Traffic(settings(false));
        assertThat(fixed.rule.current().window()).isEqualTo(20_000);
        Decision measured = fixed.interval(10_000, 100, 0);
        assertThat(measured.window()).isEqualTo(20_000);
        assertThat(measured.reason()).isEqualTo(Reason.FIXED);
        assertThat(measured.arrivalRate()).as("λ and W are measured in fixed mode too").isEqualTo(10_000.0);
        assertThat(measured.timeInSystemMillis()).isEqualTo(100.0);
        assertThat(measured.needed()).isEqualTo(1_000);
        assertThat(fixed.interval(50_000, 900, 1.0).window()).isEqualTo(20_000);
    }

    @Test
    void steadyTrafficSettlesAtLittlesLawTimesHeadroomAndStaysThere() {
        Traffic traffic = new Traffic(settings(true));
        Decision first = traffic.interval(10_000, 100, 0);
        assertThat(first.needed()).as("L = 10,000/s × 0.1 s").isEqualTo(1_000);
        assertThat(first.window()).isEqualTo(2_000);
        assertThat(first.reason()).isEqualTo(Reason.DEMAND_GREW);
        for (int i = 0; i < 20; i++) {
            Decision next = traffic.interval(10_000, 100, 0);
            assertThat(next.window()).isEqualTo(2_000);
            assertThat(next.reason()).isEqualTo(Reason.STEADY);
        }
    }

    @Test
    void aSlowStageRaisesTheWindowWithW() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        Decision slow = traffic.interval(2.0, 10_000, 500, 0);
        assertThat(slow.needed()).isEqualTo(5_000);
        assertThat(slow.window()).isEqualTo(10_000);
        assertThat(slow.reason()).isEqualTo(Reason.DEMAND_GREW);
    }

    @Test
    void noisyTrafficWithinTheHysteresisDoesNotMoveTheWindow() {
        Traffic traffic = new Traffic(settings(true));
        int window = traffic.interval(10_000, 100, 0).window();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            // ±10 % around the rate that set the window: L × 2 between 1,800 and 2,000 (never above the window
            // because the rule raised it to the first sample, which was the top of the band)
            double rate = 9_000 + random.nextInt(1_001);
            Decision next = traffic.interval(rate, 100, 0);
            assertThat(next.window()).as("sample %d at %.0f/s", i, rate).isEqualTo(window);
        }
    }

    @Test
    void theWindowComesDownOnlyAfterDemandStaysLowForTheSettleSamples() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        assertThat(traffic.interval(8_000, 100, 0)).as("20 %% lower: inside the hysteresis")
                .extracting(Decision::window, Decision::reason).containsExactly(2_000, Reason.STEADY);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(2_000);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(2_000);
        Decision lowered = traffic.interval(5_000, 100, 0);
        assertThat(lowered.window()).isEqualTo(1_000);
        assertThat(lowered.reason()).isEqualTo(Reason.DEMAND_FELL);
    }

    @Test
    void aSingleHighSampleBreaksTheRunOfLowOnes() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        traffic.interval(9_000, 100, 0);
        traffic.interval(5_000, 100, 0);
        assertThat(traffic.interval(5_000, 100, 0).window()).as("two low samples since the high one").isEqualTo(2_000);
        assertThat(traffic.interval(5_000, 100, 0).window()).isEqualTo(1_000);
    }

    @Test
    void aBurstThatHoldsTheSourceDoublesTheWindowWhileThroughputFollows() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        // a backlog: the source sits at the window; with W flat, λ = window / W follows every doubling
        int window = 2_000;
        for (int expected : new int[] {4_000, 8_000, 16_000, 20_000}) {
            Decision next = traffic.interval(window / 0.1, 100, 0.8);
            assertThat(next.reason()).isEqualTo(Reason.PROBING);
            assertThat(next.window()).isEqualTo(expected);
            window = next.window();
        }
        Decision atBound = traffic.interval(window / 0.1, 100, 0.8);
        assertThat(atBound.window()).as("never above sluice.flow.max-in-flight").isEqualTo(20_000);
        assertThat(atBound.reason()).isEqualTo(Reason.AT_BOUND);
    }

    /**
     * A backlog behind a stage that takes {@code capacity} records/s and needs {@code baseMillis}
     * per record with nothing queued: λ = min(capacity, window / W0) and W = max(W0, window /
     * capacity) (Little's law on both sides of the knee, window = capacity × W0), the source held.
     */
    private static Decision backlog(Traffic traffic, double capacity, double baseMillis) {
        int window = traffic.rule.current().window();
        double rate = Math.min(capacity, window / (baseMillis / 1000));
        return traffic.interval(rate, Math.max(baseMillis, window / capacity * 1000), 0.8);
    }

    @Test
    void aBacklogBehindASaturatedStageSettlesAtTheKneeInsteadOfTheBound() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        // the database takes 40,000/s at most: above a window of 4,000 only W grows, λ stays
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            decisions.add(backlog(traffic, 40_000, 100));
        }
        assertThat(decisions).extracting(Decision::window)
                .as("climbs while λ follows, stops when it does not, comes down a fifth per sample while λ holds")
                .startsWith(4_000, 8_000, 6_400, 5_120, 4_096, 3_276, 3_276, 4_096);
        assertThat(decisions.get(6).reason()).as("one low sample is looked at again").isEqualTo(Reason.SEEKING);
        assertThat(decisions.get(7).reason()).as("3,276 cost a fifth of λ twice: back to the last window that kept it")
                .isEqualTo(Reason.AT_KNEE);
        assertThat(traffic.rule.current()).extracting(Decision::window, Decision::reason).containsExactly(4_096, Reason.AT_KNEE);
    }

    @Test
    void underALongBacklogTheKneeCostsLessThanFivePercentOfTheThroughputAndAFifthOfTheBound() {
        Traffic traffic = new Traffic(settings(true));
        // a first run starts at the bound and meets a backlog
        traffic.rule = new AdaptiveWindow(settings(true), 0, 20_000);
        double committed = 0;
        long windows = 0;
        int samples = 120;
        for (int i = 0; i < samples; i++) {
            Decision next = backlog(traffic, 40_000, 100);
            committed += next.arrivalRate();
            windows += next.window();
        }
        assertThat(committed / samples).as("mean λ against the 40,000/s the bound would get").isGreaterThan(0.95 * 40_000);
        assertThat(windows / samples).as("mean window, knee 4,000, bound 20,000").isLessThan(5_000);
    }

    @Test
    void aStageThatGetsFasterMovesTheKneeUpAtTheNextSearch() {
        Traffic traffic = new Traffic(settings(true));
        traffic.rule = new AdaptiveWindow(settings(true), 0, 20_000);
        for (int i = 0; i < 30; i++) {
            backlog(traffic, 40_000, 100);
        }
        assertThat(traffic.rule.current().window()).isBetween(4_000, 5_000);
        // the database gets twice as fast: the knee is 8,000 now
        double committed = 0;
        long windows = 0;
        for (int i = 0; i < 60; i++) {
            Decision next = backlog(traffic, 80_000, 100);
            if (i >= 30) {
                committed += next.arrivalRate();
                windows += next.window();
            }
        }
        assertThat(windows / 30).as("found within one hold (15 s) and a search").isBetween(7_500L, 9_000L);
        assertThat(committed / 30).isGreaterThan(0.9 * 80_000);
    }

    @Test
    void aStageThatSlowsDownWhileTheWindowComesDownNeverThrottlesTheSourceBelowTheLastGoodWindow() {
        Traffic traffic = new Traffic(settings(true));
        traffic.rule = new AdaptiveWindow(settings(true), 0, 20_000);
        // each sample the stage needs 10 % longer per record (W0 rising for its own reasons), capacity falls with it
        double base = 100;
        double capacity = 40_000;
        for (int i = 0; i < 40; i++) {
            Decision before = traffic.rule.current();
            Decision next = backlog(traffic, capacity, base);
            if (before.window() >= capacity * base / 1000) {
                assertThat(next.window()).as("sample %d: a window that was not below the knee is never cut below 0.8×", i)
                        .isGreaterThanOrEqualTo((int) Math.floor(before.window() * 0.8));
            }
            base *= 1.1;
            capacity /= 1.1;
        }
        assertThat(traffic.rule.current().window()).isBetween(100, 20_000);
    }

    @Test
    void noiseOnTheRateDoesNotDriveTheWindowDownPastTheKnee() {
        Random random = new Random(11);
        Traffic traffic = new Traffic(settings(true));
        traffic.rule = new AdaptiveWindow(settings(true), 0, 20_000);
        double committed = 0;
        double ideal = 0;
        for (int i = 0; i < 200; i++) {
            int window = traffic.rule.current().window();
            double noise = 1 + (random.nextDouble() - 0.5) * 0.06;
            double rate = Math.min(40_000, window / 0.1) * noise;
            Decision next = traffic.interval(rate, Math.max(100, window / 40.0), 0.8);
            committed += rate;
            ideal += 40_000 * noise;
            assertThat(next.window()).isBetween(100, 20_000);
        }
        assertThat(committed / ideal).as("±3 % noise on λ").isGreaterThan(0.93);
    }

    @Test
    void theBacklogGoneTheWindowComesBackToDemand() {
        Traffic traffic = new Traffic(settings(true));
        traffic.rule = new AdaptiveWindow(settings(true), 0, 20_000);
        for (int i = 0; i < 3; i++) {
            backlog(traffic, 40_000, 100);
        }
        assertThat(traffic.rule.current()).extracting(Decision::window, Decision::reason).containsExactly(12_800, Reason.SEEKING);
        for (int i = 0; i < 12; i++) {
            traffic.interval(5_000, 100, 0);
        }
        assertThat(traffic.rule.current()).as("the backlog gone, it comes back to demand, halving every three samples")
                .extracting(Decision::window, Decision::reason).containsExactly(1_000, Reason.DEMAND_FELL);
    }

    @Test
    void oncePastTheBurstTheWindowReturnsToDemand() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        traffic.interval(20_000, 100, 0.8);
        traffic.interval(40_000, 100, 0.8);
        assertThat(traffic.rule.current().window()).isEqualTo(8_000);
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            windows.add(traffic.interval(10_000, 100, 0).window());
        }
        assertThat(windows).as("down by half at most, after three samples each").containsExactly(8_000, 8_000, 4_000, 4_000, 4_000, 2_000);
        assertThat(traffic.rule.current().reason()).isEqualTo(Reason.DEMAND_FELL);
    }

    @Test
    void noCommitsMeansNoMeasurementAndTheWindowHolds() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        for (int i = 0; i < 10; i++) {
            assertThat(traffic.interval(0, 0, 0)).extracting(Decision::window, Decision::reason)
                    .containsExactly(2_000, Reason.IDLE);
        }
    }

    @Test
    void samplesWaitForTheIntervalAndForTwiceTheLastW() {
        Traffic traffic = new Traffic(settings(true));
        assertThat(traffic.interval(0.5, 10_000, 100, 0).reason()).as("half an interval: no sample").isEqualTo(Reason.STARTING);
        assertThat(traffic.interval(0.5, 10_000, 100, 0).window()).isEqualTo(2_000);
        Decision slow = traffic.interval(1.0, 1_000, 3_000, 0);
        assertThat(slow.window()).isEqualTo(6_000);
        assertThat(traffic.interval(4.0, 5_000, 100, 0)).as("W = 3 s: no sample until 6 s after the last").isSameAs(slow);
        Decision next = traffic.interval(2.5, 5_000, 100, 0);
        assertThat(next.reason()).isEqualTo(Reason.STEADY);
        assertThat(next.arrivalRate()).as("the sample spans all 6.5 s").isEqualTo(5_000.0);

        Decision outage = traffic.interval(1.0, 10, 60_000, 0);
        assertThat(traffic.interval(19.0, 5_000, 100, 0)).as("W = 60 s: the wait is capped at 20 intervals").isSameAs(outage);
        assertThat(traffic.interval(1.0, 5_000, 100, 0)).isNotSameAs(outage);
    }

    @Test
    void theWindowNeverLeavesItsBounds() {
        Random random = new Random(7);
        for (int run = 0; run < 50; run++) {
            Traffic traffic = new Traffic(settings(true));
            for (int i = 0; i < 200; i++) {
                double rate = random.nextInt(5) == 0 ? 0 : random.nextDouble() * 200_000;
                Decision next = traffic.interval(0.5 + random.nextDouble() * 2, rate, random.nextDouble() * 2_000,
                        random.nextDouble());
                assertThat(next.window()).isBetween(100, 20_000);
            }
        }
    }

    @Test
    void settingsOutsideTheirRangeNameTheProperty() {
        assertThatThrownBy(() -> new Settings(true, 0, 100, 2, 0.25, SECOND, 3)).hasMessageContaining("sluice.flow.min-in-flight");
        assertThatThrownBy(() -> new Settings(true, 200, 100, 2, 0.25, SECOND, 3)).hasMessageContaining("sluice.flow.max-in-flight");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 0.5, 0.25, SECOND, 3)).hasMessageContaining("sluice.flow.window-headroom");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 2, 1.0, SECOND, 3)).hasMessageContaining("sluice.flow.window-hysteresis");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 2, 0.25, SECOND, 3, 0, SECOND)).hasMessageContaining("sluice.flow.knee-tolerance");
        assertThatThrownBy(() -> new Settings(true, 1, 100, 2, 0.25, SECOND, 3, 0.05, 0)).hasMessageContaining("sluice.flow.knee-hold");
    }
}
