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
        final AdaptiveWindow rule;
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

    @Test
    void aBacklogBehindASaturatedStageGrowsTheWindowToTheBoundAsTheFixedWindowDid() {
        Traffic traffic = new Traffic(settings(true));
        traffic.interval(10_000, 100, 0);
        // the database takes 40,000/s at most: above a window of 4,000 only W grows; λ·W restates the window
        int window = 2_000;
        for (int i = 0; i < 10; i++) {
            double w = Math.max(100, window / 40.0);
            window = traffic.interval(Math.min(40_000, window / 0.1), w, 0.8).window();
        }
        assertThat(traffic.rule.current()).extracting(Decision::window, Decision::reason).containsExactly(20_000, Reason.AT_BOUND);
        for (int i = 0; i < 12; i++) {
            traffic.interval(5_000, 100, 0);
        }
        assertThat(traffic.rule.current()).as("the backlog gone, it comes back to demand, halving every three samples")
                .extracting(Decision::window, Decision::reason).containsExactly(1_250, Reason.DEMAND_FELL);
        for (int i = 0; i < 6; i++) {
            traffic.interval(5_000, 100, 0);
        }
        assertThat(traffic.rule.current()).as("L × 2 = 1,000 is within the hysteresis of 1,250")
                .extracting(Decision::window, Decision::reason).containsExactly(1_250, Reason.STEADY);
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
    }
}
